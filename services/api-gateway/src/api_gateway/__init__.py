"""The OrderFlow API gateway: the one door to the customer and order services."""

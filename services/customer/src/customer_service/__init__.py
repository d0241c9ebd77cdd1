"""The customer service: the one owner of customer data."""

"""Customer rules and errors, free of any framework."""


class CustomerNotFoundError(Exception):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"No customer with id {customer_id}.")


class EmailTakenError(Exception):
    def __init__(self, email: str) -> None:
        super().__init__(f"A customer with email {email} already exists.")

"""Customer rules and errors, free of any framework.

Who may do what (the service layer decides before it touches the database)::

    admin, staff   every customer: list, search, read, create, change
    customer       only the customer record its token names (``customer_id``), read only;
                   another's is "not found", so a customer cannot learn which ids exist

Errors, each a problem at the edge (``main.PROBLEMS``)::

    CustomerNotFoundError   404  no such customer, or not one this caller may see
    EmailTakenError         409  another customer has this email, whatever its case
    AccessDeniedError       403  the caller's role does not allow this at all
"""


def may_read(customer_id: str, *, staff: bool, own_customer_id: str | None) -> bool:
    """Staff read every customer; a customer only the record its token names."""
    return staff or own_customer_id == customer_id


class CustomerNotFoundError(Exception):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"No customer with id {customer_id}.")


class EmailTakenError(Exception):
    def __init__(self, email: str) -> None:
        super().__init__(f"A customer with email {email} already exists.")


class AccessDeniedError(Exception):
    """The caller may not do this (its role, or not its own record)."""

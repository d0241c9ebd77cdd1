"""The identity service: users, clients, tokens and the keys that sign them."""

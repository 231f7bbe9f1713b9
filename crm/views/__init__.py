"""Staff pages of the contact repository: contacts, interactions, organisations (one module each)."""

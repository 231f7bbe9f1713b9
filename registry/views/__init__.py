"""Staff pages of the registry (activities, recipients, exports, breaches) and the public privacy notice."""

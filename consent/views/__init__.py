"""Views of the consent app: the staff area (`staff`) and the public pages (`public`)."""

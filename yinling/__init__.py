"""What the whole app shares: its settings, and the base of the errors it shows to people."""

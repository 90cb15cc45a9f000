"""Reports: what runlens shows its user (text, JSON; charts in later modules)."""

"""Plans, limits and Stripe billing (public schema)."""

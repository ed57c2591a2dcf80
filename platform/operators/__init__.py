"""The composition layer: provisioning, lifecycle jobs, tenant purge and the demo seed. The only code (with
`signup`) that ties the tenancy kernel, billing, accounts and the portal together."""

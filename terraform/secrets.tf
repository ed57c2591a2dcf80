# Generated credentials and the connection URLs built from them, in Secrets Manager. ECS injects the app's four
# secrets as environment variables when a task starts (a changed value needs new tasks: force a new deployment).
# The values are also in the Terraform state: see the backend note in versions.tf.
#
# Two database roles (docs/operations.md): the RDS master user is the **owner** (it owns the database and every
# schema, table and function; migrations, `db_roles` and tenant purges run as it), and only the migrate and purge
# task definitions receive its URL (MIGRATION_DATABASE_URL). Web, worker and beat get DATABASE_URL, the
# **runtime** role `portico_app`: no superuser, owns nothing, DML only. The migrate task's `db_roles` creates it
# with the password below and grants it its privileges.

resource "random_password" "secret_key" {
  length = 64
}

# Alphanumeric only: RDS forbids / @ " and spaces, and these passwords go into URLs unescaped.
resource "random_password" "db" {
  length  = 40
  special = false
}

# The runtime role's password (same alphabet, for the same reasons).
resource "random_password" "db_runtime" {
  length  = 40
  special = false
}

# ElastiCache AUTH token: 16 to 128 printable characters; alphanumeric needs no escaping in REDIS_URL.
resource "random_password" "redis" {
  length  = 64
  special = false
}

locals {
  runtime_db_role = "portico_app"

  # The runtime role: what every task gets as DATABASE_URL. sslmode=require: encrypted, as rds.force_ssl demands
  # (verify-full would need the RDS CA bundle in the image). connect_timeout is repeated because URL options
  # replace the OPTIONS that base settings set.
  database_url = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require&connect_timeout=5",
    local.runtime_db_role,
    random_password.db_runtime.result,
    aws_db_instance.main.address,
    aws_db_instance.main.port,
    aws_db_instance.main.db_name,
  )

  # The owner: the master user. Only in the migrate and purge task definitions.
  migration_database_url = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require&connect_timeout=5",
    aws_db_instance.main.username,
    random_password.db.result,
    aws_db_instance.main.address,
    aws_db_instance.main.port,
    aws_db_instance.main.db_name,
  )

  # rediss:// because of in-transit encryption. ssl_cert_reqs is read by redis-py (Django's cache) and kombu, and
  # Celery's Redis result backend refuses a rediss:// URL without it.
  redis_url = format(
    "rediss://:%s@%s:%d/0?ssl_cert_reqs=required",
    random_password.redis.result,
    aws_elasticache_replication_group.main.primary_endpoint_address,
    aws_elasticache_replication_group.main.port,
  )

  # Keys are a literal list: a set derived from a map holding sensitive values cannot drive for_each.
  app_secret_names = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"]
  app_secret_values = {
    SECRET_KEY   = random_password.secret_key.result
    DATABASE_URL = local.database_url
    REDIS_URL    = local.redis_url
    EMAIL_URL    = var.email_url
  }
}

resource "aws_secretsmanager_secret" "app" {
  for_each                = toset(local.app_secret_names)
  name                    = "${local.prefix}/${each.key}"
  description             = "Portico ${each.key}, injected into every task"
  recovery_window_in_days = 7 # a destroyed secret's name stays taken that long
}

resource "aws_secretsmanager_secret_version" "app" {
  for_each      = aws_secretsmanager_secret.app
  secret_id     = each.value.id
  secret_string = local.app_secret_values[each.key]
}

# The owner's URL: injected only into the tasks that migrate, set up the roles or purge tenants (ecs.tf), never
# into web, worker or beat.
resource "aws_secretsmanager_secret" "migration_database_url" {
  name                    = "${local.prefix}/MIGRATION_DATABASE_URL"
  description             = "Portico owner role (RDS master) URL, injected into the migrate and purge tasks only"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "migration_database_url" {
  secret_id     = aws_secretsmanager_secret.migration_database_url.id
  secret_string = local.migration_database_url
}

# For people and tools (psql, redis-cli, a future rotation Lambda); no task gets these two.
resource "aws_secretsmanager_secret" "db_master" {
  name                    = "${local.prefix}/db-master"
  description             = "Portico RDS master credentials"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "db_master" {
  secret_id = aws_secretsmanager_secret.db_master.id
  # The shape RDS rotation functions expect.
  secret_string = jsonencode({
    engine   = "postgres"
    host     = aws_db_instance.main.address
    port     = aws_db_instance.main.port
    dbname   = aws_db_instance.main.db_name
    username = aws_db_instance.main.username
    password = random_password.db.result
  })
}

resource "aws_secretsmanager_secret" "redis_auth_token" {
  name                    = "${local.prefix}/redis-auth-token"
  description             = "Portico ElastiCache AUTH token"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "redis_auth_token" {
  secret_id     = aws_secretsmanager_secret.redis_auth_token.id
  secret_string = random_password.redis.result
}

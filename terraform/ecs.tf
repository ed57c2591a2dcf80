# One image, five task definitions (web, worker, beat, and the one-off migrate and purge), three services, and an
# hourly schedule that runs purge. Only migrate and purge get the owner role's URL (MIGRATION_DATABASE_URL).

resource "aws_ecs_cluster" "main" {
  name = local.prefix

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

locals {
  # Plain settings, the same for every process. Secrets come separately (secrets.tf), never through here.
  environment = merge(
    {
      DJANGO_SETTINGS_MODULE = "config.settings.production"
      ROOT_DOMAIN            = var.root_domain
      ALLOWED_HOSTS          = ".${var.root_domain},${var.root_domain}"
      # Trust X-Forwarded-* from any peer: only the ALB can reach the tasks (security.tf).
      FORWARDED_ALLOW_IPS = "*"
      # The ALB appends the client's address to X-Forwarded-For; rate limits key on it (config.proxy).
      TRUSTED_PROXIES    = "1"
      CONN_MAX_AGE       = tostring(var.conn_max_age)
      WEB_CONCURRENCY    = tostring(var.web_concurrency)
      SENTRY_DSN         = var.sentry_dsn
      SENTRY_ENVIRONMENT = var.environment
      # django-storages' names, read once media moves to S3; credentials come from the task role, not from keys.
      AWS_STORAGE_BUCKET_NAME = aws_s3_bucket.media.bucket
      AWS_S3_REGION_NAME      = var.region
    },
    var.extra_environment,
  )

  tasks = {
    web = {
      command       = ["gunicorn", "-c", "infra/gunicorn.conf.py", "config.wsgi:application"]
      cpu           = var.web_task.cpu
      memory        = var.web_task.memory
      port_mappings = [{ containerPort = 8000, protocol = "tcp" }]
      stop_timeout  = 35 # gunicorn's graceful_timeout (30 s) plus a margin
      owner         = false
    }
    worker = {
      command = [
        "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=${var.worker_concurrency}",
      ]
      cpu           = var.worker_task.cpu
      memory        = var.worker_task.memory
      port_mappings = []
      stop_timeout  = 120 # Fargate's maximum: a warm shutdown lets running tasks finish
      owner         = false
    }
    beat = {
      # The schedule file is scratch (as in docker compose): a restarted beat starts its interval timers afresh.
      command       = ["celery", "-A", "config", "beat", "--loglevel=INFO", "--schedule=/tmp/celerybeat-schedule"]
      cpu           = 256
      memory        = 512
      port_mappings = []
      stop_timeout  = 30
      owner         = false
    }
    migrate = {
      # Run by hand before each deploy (README.md), as the owner: `db_roles` (idempotent) creates the runtime role
      # and grants it its DML, then the migrations. The check afterwards fails the task when a tenant schema lacks
      # a table, exactly as `make` and docker compose do.
      command = [
        "sh", "-c",
        "python manage.py db_roles && python manage.py migrate --noinput && python manage.py check --database default",
      ]
      cpu           = 512
      memory        = 1024
      port_mappings = []
      stop_timeout  = 30
      owner         = true
    }
    purge = {
      # Hourly (aws_scheduler_schedule.purge), as the owner: drops the portals Celery beat marked for purge, after
      # checking each one's subscription again (docs/operations.md).
      command       = ["python", "manage.py", "purge_tenants"]
      cpu           = 256
      memory        = 512
      port_mappings = []
      stop_timeout  = 30
      owner         = true
    }
  }

  # Exactly one beat, ever: with min 0 % / max 100 % a deploy stops the old beat before starting the new one, so
  # no schedule fires twice (a few seconds without beat are harmless). Web and worker roll with no capacity dip.
  services = {
    web    = { desired_count = var.web_desired_count, min_healthy_percent = 100, max_percent = 200 }
    worker = { desired_count = var.worker_desired_count, min_healthy_percent = 100, max_percent = 200 }
    beat   = { desired_count = 1, min_healthy_percent = 0, max_percent = 100 }
  }
}

resource "aws_cloudwatch_log_group" "app" {
  for_each          = local.tasks
  name              = "/ecs/${local.prefix}/${each.key}"
  retention_in_days = var.log_retention_days
}

# --- IAM ----------------------------------------------------------------------------------------------------------

data "aws_partition" "current" {}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    # Only ECS acting for this account may assume the roles (confused-deputy guard).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# Execution role: used by ECS itself to pull the image, write logs and read the secrets at task start.
resource "aws_iam_role" "execution" {
  name               = "${local.prefix}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_secrets" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [for secret in aws_secretsmanager_secret.app : secret.arn]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "read-app-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

# The execution role of the owner's tasks (migrate, purge): the app secrets and the owner's URL. The role above,
# which starts web, worker and beat, cannot read the owner's URL at all.
resource "aws_iam_role" "execution_owner" {
  name               = "${local.prefix}-ecs-execution-owner"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution_owner" {
  role       = aws_iam_role.execution_owner.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_owner_secrets" {
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    resources = concat(
      [for secret in aws_secretsmanager_secret.app : secret.arn],
      [aws_secretsmanager_secret.migration_database_url.arn],
    )
  }
}

resource "aws_iam_role_policy" "execution_owner_secrets" {
  name   = "read-app-and-owner-secrets"
  role   = aws_iam_role.execution_owner.id
  policy = data.aws_iam_policy_document.execution_owner_secrets.json
}

# Task role: what the application code may do with its own AWS credentials. Media bucket objects only.
resource "aws_iam_role" "task" {
  name               = "${local.prefix}-ecs-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task_media" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.media.arn]
  }
  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.media.arn}/*"]
  }
}

resource "aws_iam_role_policy" "task_media" {
  name   = "media-bucket"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_media.json
}

# --- Task definitions and services -----------------------------------------------------------------------------

resource "aws_ecs_task_definition" "app" {
  for_each = local.tasks

  family                   = "${local.prefix}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = each.value.owner ? aws_iam_role.execution_owner.arn : aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # ECS ignores the image's Docker HEALTHCHECK; web is checked by the ALB, worker and beat by staying alive.
  container_definitions = jsonencode([{
    name         = each.key
    image        = var.image
    essential    = true
    command      = each.value.command
    portMappings = each.value.port_mappings
    stopTimeout  = each.value.stop_timeout
    # ECS drops empty values (an unset SENTRY_DSN), which would show as a diff on every plan.
    environment = [for name, value in local.environment : { name = name, value = value } if value != ""]
    # The owner's URL only where the task runs as the owner (migrate, purge); web, worker and beat never see it.
    secrets = concat(
      [for name in sort(local.app_secret_names) : { name = name, valueFrom = aws_secretsmanager_secret.app[name].arn }],
      each.value.owner ? [
        { name = "MIGRATION_DATABASE_URL", valueFrom = aws_secretsmanager_secret.migration_database_url.arn },
      ] : [],
    )
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app[each.key].name
        awslogs-region        = var.region
        awslogs-stream-prefix = each.key
      }
    }
  }])

  # `terraform apply -target` on a task definition (the migrate task first, README.md) also brings what starting
  # it needs: the secrets' current values and the execution roles' permissions.
  depends_on = [
    aws_secretsmanager_secret_version.app,
    aws_secretsmanager_secret_version.migration_database_url,
    aws_iam_role_policy.execution_secrets,
    aws_iam_role_policy_attachment.execution,
    aws_iam_role_policy.execution_owner_secrets,
    aws_iam_role_policy_attachment.execution_owner,
  ]
}

resource "aws_ecs_service" "app" {
  for_each = local.services

  name             = each.key
  cluster          = aws_ecs_cluster.main.id
  task_definition  = aws_ecs_task_definition.app[each.key].arn
  desired_count    = each.value.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  deployment_minimum_healthy_percent = each.value.min_healthy_percent
  deployment_maximum_percent         = each.value.max_percent
  # Gives gunicorn time to boot before ALB health checks count.
  health_check_grace_period_seconds = each.key == "web" ? 60 : null

  # A release whose tasks never get healthy is rolled back to the previous task definition.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = each.key == "web" ? [aws_lb_target_group.web.arn] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = "web"
      container_port   = 8000
    }
  }

  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"

  # Tasks need their secrets' values and permission to read them before they can start, and the target group
  # must belong to a listener before a service can register into it.
  depends_on = [
    aws_secretsmanager_secret_version.app,
    aws_iam_role_policy.execution_secrets,
    aws_iam_role_policy_attachment.execution,
    aws_lb_listener_rule.web,
  ]
}

# --- The hourly purge ---------------------------------------------------------------------------------------------

# EventBridge Scheduler runs the purge task every hour (Celery beat only marks portals due for purge: it has no
# owner credentials). A run finds nothing to do most hours and stops within seconds.
data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.prefix}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler_run_purge" {
  statement {
    # Any revision of the purge family, in this cluster only: the schedule always names the latest one.
    actions   = ["ecs:RunTask"]
    resources = ["${aws_ecs_task_definition.app["purge"].arn_without_revision}:*"]
    condition {
      test     = "ArnLike"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.main.arn]
    }
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution_owner.arn, aws_iam_role.task.arn]
    condition {
      test     = "StringLike"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "scheduler_run_purge" {
  name   = "run-purge-task"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler_run_purge.json
}

resource "aws_scheduler_schedule" "purge" {
  name                = "${local.prefix}-purge-tenants"
  description         = "Portico: drop the portals marked for purge (manage.py purge_tenants, owner role)"
  schedule_expression = "rate(1 hour)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_ecs_cluster.main.arn
    role_arn = aws_iam_role.scheduler.arn

    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.app["purge"].arn
      launch_type         = "FARGATE"
      platform_version    = "LATEST"
      task_count          = 1

      network_configuration {
        subnets          = aws_subnet.private[*].id
        security_groups  = [aws_security_group.app.id]
        assign_public_ip = false
      }
    }

    retry_policy {
      maximum_retry_attempts = 2
    }
  }

  depends_on = [
    aws_secretsmanager_secret_version.app,
    aws_secretsmanager_secret_version.migration_database_url,
    aws_iam_role_policy.execution_owner_secrets,
    aws_iam_role_policy_attachment.execution_owner,
  ]
}

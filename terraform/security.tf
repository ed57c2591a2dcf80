# Least privilege: the internet reaches only the ALB (80, 443); the ALB reaches only the tasks (8000); only the
# tasks reach PostgreSQL (5432) and Redis (6379). Data stores have no egress rule at all.
# Rules are separate resources (not inline blocks), so one change never rewrites a whole group.

# The VPC's default group is left with no rules, so nothing attached to it by mistake can talk to anything.
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "alb" {
  name        = "${local.prefix}-alb"
  description = "Portico load balancer: HTTP and HTTPS from anywhere"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.prefix}-alb" }
}

resource "aws_security_group" "app" {
  name        = "${local.prefix}-app"
  description = "Portico web, worker, beat and migrate tasks"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.prefix}-app" }
}

resource "aws_security_group" "db" {
  name        = "${local.prefix}-db"
  description = "Portico PostgreSQL: only from the app tasks"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.prefix}-db" }
}

resource "aws_security_group" "redis" {
  name        = "${local.prefix}-redis"
  description = "Portico Redis: only from the app tasks"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.prefix}-redis" }
}

# --- ALB ---

resource "aws_vpc_security_group_ingress_rule" "alb_from_internet" {
  for_each          = toset(["80", "443"]) # 80 only answers with a redirect to HTTPS
  security_group_id = aws_security_group.alb.id
  description       = "Public ${each.key}"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to gunicorn"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.app.id
}

# --- App tasks ---

# Only the ALB can open a connection to a task; this is also why FORWARDED_ALLOW_IPS="*" is safe.
resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "gunicorn from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_redis" {
  security_group_id            = aws_security_group.app.id
  description                  = "Redis"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.redis.id
}

# HTTPS anywhere: AWS APIs (ECR, Secrets Manager, CloudWatch Logs, S3), Sentry, Stripe and tenants' webhook
# endpoints, whose addresses are not known in advance.
resource "aws_vpc_security_group_egress_rule" "app_to_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs and third parties"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "app_to_smtp" {
  security_group_id = aws_security_group.app.id
  description       = "SMTP submission"
  ip_protocol       = "tcp"
  from_port         = var.smtp_port
  to_port           = var.smtp_port
  cidr_ipv4         = "0.0.0.0/0"
}

# --- Data stores (ingress only) ---

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the app tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_app" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the app tasks"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.app.id
}

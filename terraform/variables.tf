# --- Where and what --------------------------------------------------------------------------------------------

variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix of resource names."
  type        = string
  default     = "portico"
}

variable "environment" {
  description = "Environment name: part of resource names, a tag, and SENTRY_ENVIRONMENT."
  type        = string
  default     = "production"
}

variable "root_domain" {
  description = "Public site host, e.g. portico.example.com; every portal is <slug>.<root_domain>."
  type        = string

  validation {
    # Lower case, no scheme, port or trailing dot: it is compared verbatim with ACM's answer and Host headers.
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.root_domain))
    error_message = "root_domain must be a lower-case host name such as portico.example.com."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone that holds root_domain (the zone of root_domain or of a parent domain)."
  type        = string
}

variable "image" {
  # e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/portico:1.4.2
  description = "Full reference of the Portico image; pin a tag or a digest, never latest."
  type        = string
}

variable "cpu_architecture" {
  description = "Architecture the image was built for: X86_64 or ARM64."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

# --- Network -----------------------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "VPC address range; subnets are /24s carved out of it."
  type        = string
  default     = "10.20.0.0/16"
}

# --- Application -------------------------------------------------------------------------------------------------

variable "web_desired_count" {
  description = "Number of web (gunicorn) tasks; two or more keep a deploy or an AZ loss invisible."
  type        = number
  default     = 2
}

variable "worker_desired_count" {
  description = "Number of Celery worker tasks."
  type        = number
  default     = 1
}

variable "web_task" {
  description = "Fargate size of a web task (a valid Fargate cpu/memory pair)."
  type        = object({ cpu = number, memory = number })
  default     = { cpu = 512, memory = 1024 }
}

variable "worker_task" {
  description = "Fargate size of a worker task (a valid Fargate cpu/memory pair)."
  type        = object({ cpu = number, memory = number })
  default     = { cpu = 512, memory = 1024 }
}

variable "web_concurrency" {
  # Set explicitly: on Fargate, cpu_count() does not reflect the task's CPU share.
  description = "gunicorn workers per web task (WEB_CONCURRENCY)."
  type        = number
  default     = 3
}

variable "worker_concurrency" {
  description = "Celery worker processes per worker task (--concurrency), for the same reason."
  type        = number
  default     = 2
}

variable "conn_max_age" {
  description = "CONN_MAX_AGE: seconds a database connection is kept. Keep it finite (see docs/architecture.md)."
  type        = number
  default     = 60
}

variable "email_url" {
  description = "EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587; kept in Secrets Manager."
  type        = string
  sensitive   = true
}

variable "smtp_port" {
  description = "TCP port of the SMTP server in email_url; the only non-HTTPS port the tasks may reach outside the VPC."
  type        = number
  default     = 587
}

variable "sentry_dsn" {
  description = "SENTRY_DSN; empty leaves Sentry off."
  type        = string
  default     = ""
}

variable "extra_environment" {
  description = "More plain environment variables for every task (DEFAULT_FROM_EMAIL, LOG_LEVEL…); never secrets."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the tasks' output."
  type        = number
  default     = 30
}

# --- Data stores -------------------------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class of PostgreSQL."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial RDS storage in GiB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Ceiling in GiB for RDS storage autoscaling."
  type        = number
  default     = 200
}

variable "db_multi_az" {
  description = "Run a synchronous standby in the second AZ (automatic failover in about a minute); doubles the cost."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups (point-in-time recovery window)."
  type        = number
  default     = 14
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_num_cache_clusters" {
  description = "Redis nodes: 1 is a single primary; 2 or more add replicas with automatic failover across AZs."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_num_cache_clusters >= 1 && var.redis_num_cache_clusters <= 6
    error_message = "redis_num_cache_clusters must be between 1 and 6."
  }
}

variable "media_noncurrent_version_days" {
  description = "Days an overwritten or deleted media object stays recoverable before S3 expires it."
  type        = number
  default     = 30
}

variable "deletion_protection" {
  description = "Protect the database and the load balancer from deletion (turn off only to tear the stack down)."
  type        = bool
  default     = true
}

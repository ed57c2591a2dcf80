output "public_url" {
  description = "The public site; portals are https://<slug>.<root_domain>/."
  value       = "https://${var.root_domain}/"
}

output "alb_dns_name" {
  description = "Load balancer DNS name (root_domain and *.root_domain alias to it)."
  value       = aws_lb.main.dns_name
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "app_security_group_id" {
  description = "Attach to any one-off task that must reach PostgreSQL or Redis."
  value       = aws_security_group.app.id
}

output "ecs_cluster_name" {
  value = aws_ecs_cluster.main.name
}

output "ecs_service_names" {
  value = { for key, service in aws_ecs_service.app : key => service.name }
}

output "migrate_task_definition_arn" {
  description = "The migrate task definition, revision included: run it before each deploy (README.md)."
  value       = aws_ecs_task_definition.app["migrate"].arn
}

output "purge_task_definition_arn" {
  description = "The purge task definition (owner role), run hourly by the purge schedule; runnable by hand too."
  value       = aws_ecs_task_definition.app["purge"].arn
}

output "purge_schedule_name" {
  value = aws_scheduler_schedule.purge.name
}

output "task_network_configuration" {
  description = "Ready for `aws ecs run-task --network-configuration`."
  value = jsonencode({
    awsvpcConfiguration = {
      subnets        = aws_subnet.private[*].id
      securityGroups = [aws_security_group.app.id]
      assignPublicIp = "DISABLED"
    }
  })
}

output "log_group_names" {
  value = { for key, group in aws_cloudwatch_log_group.app : key => group.name }
}

output "db_endpoint" {
  description = "PostgreSQL host:port (private)."
  value       = aws_db_instance.main.endpoint
}

output "redis_primary_endpoint" {
  description = "Redis primary host (private, TLS only)."
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "media_bucket_name" {
  value = aws_s3_bucket.media.bucket
}

output "app_secret_arns" {
  description = "Secrets injected into the tasks."
  value       = { for key, secret in aws_secretsmanager_secret.app : key => secret.arn }
}

output "migration_database_url_secret_arn" {
  description = "The owner role's URL (MIGRATION_DATABASE_URL), injected into the migrate and purge tasks only."
  value       = aws_secretsmanager_secret.migration_database_url.arn
}

output "db_master_secret_arn" {
  description = "Master credentials for operators (psql)."
  value       = aws_secretsmanager_secret.db_master.arn
}

output "redis_auth_token_secret_arn" {
  value = aws_secretsmanager_secret.redis_auth_token.arn
}

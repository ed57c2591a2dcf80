# Public ALB: HTTPS for root_domain and *.root_domain to the web tasks; plain HTTP only redirects.

resource "aws_lb" "main" {
  name                       = local.prefix
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  # gunicorn's sync workers close the connection after each response. If GUNICORN_THREADS > 1 turns on the gthread
  # worker and keep-alive, gunicorn's keepalive must exceed this (infra/gunicorn.conf.py has 5 s), or the ALB may
  # reuse a connection gunicorn just closed and answer 502.
  idle_timeout = 60
}

resource "aws_lb_target_group" "web" {
  name        = "${local.prefix}-web"
  port        = 8000
  protocol    = "HTTP"
  target_type = "ip" # Fargate tasks (awsvpc) register by IP
  vpc_id      = aws_vpc.main.id

  # gunicorn's graceful_timeout is 30 s: in-flight requests finish before the task is stopped.
  deregistration_delay = 30

  # /healthz, not /readyz. /readyz answers 503 as soon as PostgreSQL or Redis does not answer, which would make
  # every task unhealthy at once on a database blip (a Multi-AZ failover takes about a minute): ECS would then
  # kill and replace healthy tasks in a loop that cannot fix the database, and new tasks would fail their checks
  # too. /healthz says whether this process serves HTTP, which is what replacing a task can fix. Watch /readyz
  # from monitoring instead. Both answer on any Host header, the bare IP the ALB uses included.
  health_check {
    path                = "/healthz"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.main.certificate_arn # waits until the certificate is issued

  # Hosts outside root_domain (scanners hitting the ALB's own name or IP) never reach the app.
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Not found"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_rule" "web" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 100

  condition {
    host_header {
      values = [var.root_domain, "*.${var.root_domain}"]
    }
  }

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

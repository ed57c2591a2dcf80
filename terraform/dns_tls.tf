# One ACM certificate for the public site and every portal: root_domain and *.root_domain.
# (Tenants' own custom domains are not covered: see README.md, "Out of scope".)

resource "aws_acm_certificate" "main" {
  domain_name               = var.root_domain
  subject_alternative_names = ["*.${var.root_domain}"]
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true # a replacement is issued and attached before the old one goes
  }
}

# ACM asks for the same CNAME to validate example.com and *.example.com, so one record validates both (two
# records would fight over the same name). No for_each: the record's name is only known once ACM has answered.
locals {
  cert_validation = one([
    for dvo in aws_acm_certificate.main.domain_validation_options : dvo if dvo.domain_name == var.root_domain
  ])
}

resource "aws_route53_record" "cert_validation" {
  zone_id         = var.route53_zone_id
  name            = local.cert_validation.resource_record_name
  type            = local.cert_validation.resource_record_type
  records         = [local.cert_validation.resource_record_value]
  ttl             = 300
  allow_overwrite = true # tolerate the record an earlier certificate for the same names left behind
}

resource "aws_acm_certificate_validation" "main" {
  certificate_arn         = aws_acm_certificate.main.arn
  validation_record_fqdns = [aws_route53_record.cert_validation.fqdn]
}

# The root site and every portal go to the same ALB; the app picks the schema from the Host header.
resource "aws_route53_record" "alb" {
  for_each = toset([var.root_domain, "*.${var.root_domain}"])

  zone_id = var.route53_zone_id
  name    = each.value
  type    = "A"

  alias {
    name                   = aws_lb.main.dns_name
    zone_id                = aws_lb.main.zone_id
    evaluate_target_health = true
  }
}

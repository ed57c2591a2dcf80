terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State holds every generated secret (SECRET_KEY, database password, Redis token): keep it in an encrypted,
  # access-controlled remote backend, never on a laptop. Fill in and uncomment, then `terraform init -migrate-state`.
  # backend "s3" {
  #   bucket       = "my-terraform-state"
  #   key          = "portico/production.tfstate"
  #   region       = "eu-west-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = var.name
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

locals {
  # Short enough for the tightest AWS name limit used here (ALB and target group names: 32 characters).
  prefix = "${var.name}-${var.environment}"
}

data "aws_caller_identity" "current" {}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "stockwiz"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

# The same account and region, configured apart only for the Django secret key
# module: the offline plan tests replace the default configuration with a
# mock, which cannot stand in for the ephemeral password generator, and give
# this one an unmocked provider that never runs because the module is
# overridden there.
provider "aws" {
  alias  = "secret_key"
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "stockwiz"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

locals {
  name    = "stockwiz-${var.environment}"
  is_prod = var.environment == "prod"

  # Every web role listens on the same port inside its own task.
  app_port         = 8000
  discovery_domain = "stockwiz.local"
  roles            = ["product", "inventory", "gateway"]
  private_hosts    = [for role in local.roles : "${role}.${local.discovery_domain}"]
  https            = var.certificate_arn != null
  public_scheme    = local.https ? "https" : "http"

  # Host names Django accepts: the load balancer, the custom domains and the
  # private service names (health checks are answered for any host).
  allowed_hosts = concat([module.alb.dns_name], var.domain_names, local.private_hosts)
  csrf_trusted_origins = concat(
    ["${local.public_scheme}://${module.alb.dns_name}"],
    [for domain in var.domain_names : "${local.public_scheme}://${domain}"],
  )

  common_environment = merge(
    {
      DEBUG                 = "0"
      ALLOWED_HOSTS         = join(",", local.allowed_hosts)
      CSRF_TRUSTED_ORIGINS  = join(",", local.csrf_trusted_origins)
      SESSION_COOKIE_SECURE = local.https ? "1" : "0"
      LOG_LEVEL             = var.log_level
      WEB_CONCURRENCY       = tostring(var.web_concurrency)
      DB_HOST               = module.rds.address
      DB_PORT               = tostring(module.rds.port)
      DB_NAME               = module.rds.database_name
      DB_USER               = module.rds.master_username
    },
    var.redis_url == "" ? {} : { REDIS_URL = var.redis_url },
  )

  role_environment = {
    product   = {}
    inventory = {}
    gateway = {
      PRODUCT_SERVICE_URL   = "http://product.${local.discovery_domain}:${local.app_port}"
      INVENTORY_SERVICE_URL = "http://inventory.${local.discovery_domain}:${local.app_port}"
    }
  }

  secrets = {
    DB_PASSWORD = "${module.rds.master_user_secret_arn}:password::"
    SECRET_KEY  = module.django_secret_key.secret_arn
  }
  secret_arns = [module.rds.master_user_secret_arn, module.django_secret_key.secret_arn]

  image = "${module.ecr.repository_url}:${var.image_tag}"

  # Who may reach each service's port: the internet only reaches the
  # gateway, through the load balancer; only the gateway calls the others.
  service_sources = {
    product   = { gateway = module.service["gateway"].security_group_id }
    inventory = { gateway = module.service["gateway"].security_group_id }
    gateway   = { alb = module.alb.security_group_id }
  }
}

# Applying one environment's settings to another's state would replace it;
# refuse unless the selected workspace is the environment (or "default",
# which only the offline plan tests use).
resource "terraform_data" "workspace_guard" {
  input = terraform.workspace

  lifecycle {
    precondition {
      condition     = contains([var.environment, "default"], terraform.workspace)
      error_message = "Workspace \"${terraform.workspace}\" does not match environment \"${var.environment}\"; run: terraform workspace select ${var.environment}"
    }
  }
}

module "vpc" {
  source = "./modules/vpc"

  name                    = local.name
  cidr_block              = var.vpc_cidr
  availability_zones      = var.availability_zones
  nat_gateways            = var.nat_gateways
  flow_log_retention_days = var.log_retention_days
}

module "ecr" {
  source = "./modules/ecr"

  name        = local.name
  keep_images = var.ecr_keep_images
}

module "ecs_cluster" {
  source = "./modules/ecs-cluster"

  name             = local.name
  vpc_id           = module.vpc.vpc_id
  discovery_domain = local.discovery_domain
}

module "alb" {
  source = "./modules/alb"

  name                = local.name
  vpc_id              = module.vpc.vpc_id
  vpc_cidr            = module.vpc.cidr_block
  subnet_ids          = module.vpc.public_subnet_ids
  target_port         = local.app_port
  certificate_arn     = var.certificate_arn
  deletion_protection = local.is_prod
  access_logs_enabled = local.is_prod
}

module "rds" {
  source = "./modules/rds"

  name                     = local.name
  vpc_id                   = module.vpc.vpc_id
  subnet_ids               = module.vpc.private_subnet_ids
  instance_class           = var.db_instance_class
  allocated_storage_gb     = var.db_allocated_storage_gb
  max_allocated_storage_gb = var.db_max_allocated_storage_gb
  backup_retention_days    = var.db_backup_retention_days
  multi_az                 = local.is_prod
  deletion_protection      = local.is_prod

  allowed_sources = merge(
    { for role in local.roles : role => module.service[role].security_group_id },
    { migrate = module.migrate.security_group_id },
  )
}

module "django_secret_key" {
  source = "./modules/django-secret-key"

  providers = {
    aws = aws.secret_key
  }

  name                 = "${local.name}/django-secret-key"
  recovery_window_days = local.is_prod ? 30 : 0
}

module "service" {
  source   = "./modules/ecs-service"
  for_each = toset(local.roles)

  name           = "${local.name}-${each.key}"
  role           = each.key
  cluster_name   = module.ecs_cluster.cluster_name
  image          = local.image
  repository_arn = module.ecr.repository_arn
  cpu            = var.services[each.key].cpu
  memory         = var.services[each.key].memory
  min_count      = var.services[each.key].min_count
  max_count      = var.services[each.key].max_count
  container_port = local.app_port

  environment = merge(local.common_environment, local.role_environment[each.key])
  secrets     = local.secrets
  secret_arns = local.secret_arns

  log_group_name     = "/ecs/${local.name}/${each.key}"
  log_retention_days = var.log_retention_days

  vpc_id                 = module.vpc.vpc_id
  vpc_cidr               = module.vpc.cidr_block
  subnet_ids             = module.vpc.private_subnet_ids
  discovery_namespace_id = module.ecs_cluster.discovery_namespace_id
  allowed_sources        = local.service_sources[each.key]

  load_balancer = each.key != "gateway" ? null : {
    target_group_arn    = module.alb.target_group_arn
    resource_label      = "${module.alb.arn_suffix}/${module.alb.target_group_arn_suffix}"
    requests_per_target = var.gateway_requests_per_target
  }
}

locals {
  # Private subnets and the migrate security group, which the database
  # accepts; no public address, outbound goes through NAT or endpoints.
  migrate_network_configuration = jsonencode({
    awsvpcConfiguration = {
      subnets        = module.vpc.private_subnet_ids
      securityGroups = [module.migrate.security_group_id]
      assignPublicIp = "DISABLED"
    }
  })
}

# One-off task that applies the database migrations and exits; run it with
# the migrate_run_task_command output before rolling out a new image.
module "migrate" {
  source = "./modules/ecs-task"

  family         = "${local.name}-migrate"
  role           = "migrate"
  image          = local.image
  repository_arn = module.ecr.repository_arn
  cpu            = 256
  memory         = 512
  environment    = local.common_environment
  secrets        = local.secrets
  secret_arns    = local.secret_arns

  log_group_name     = "/ecs/${local.name}/migrate"
  log_retention_days = var.log_retention_days

  vpc_id   = module.vpc.vpc_id
  vpc_cidr = module.vpc.cidr_block
}

module "monitoring" {
  source = "./modules/monitoring"

  name                     = local.name
  alarm_email              = var.alarm_email
  cluster_name             = module.ecs_cluster.cluster_name
  service_names            = { for role in local.roles : role => module.service[role].service_name }
  load_balancer_arn_suffix = module.alb.arn_suffix
  target_group_arn_suffix  = module.alb.target_group_arn_suffix
  db_instance_identifier   = module.rds.identifier

  # Alarm at 10% of the initial storage left.
  db_free_storage_threshold_bytes = var.db_allocated_storage_gb * 1073741824 / 10
}

# Plans the whole stack offline against a mocked AWS provider. Run once per
# environment with that environment's settings, as scripts/checks/terraform.sh
# does:
#   terraform test -var-file=envs/prod.tfvars
# Expectations that differ by environment are written in terms of
# var.environment, so one file covers dev, staging and prod.

mock_provider "aws" {
  # Data sources are read while planning, so their fake values must be
  # realistic enough for the expressions that consume them.
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_data "aws_elb_service_account" {
    defaults = {
      arn = "arn:aws:iam::156460612806:root"
    }
  }
}

# Mock providers cannot stand in for the ephemeral password generator, so the
# module that holds it gets a real but credential-less provider and is
# replaced by its one output: nothing in it is planned and AWS is never called.
provider "aws" {
  alias                       = "secret_key"
  region                      = "eu-west-1"
  access_key                  = "offline-plan-test"
  secret_key                  = "offline-plan-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_module {
  target = module.django_secret_key
  outputs = {
    secret_arn = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:stockwiz/django-secret-key-AbCdEf"
  }
}

run "plan" {
  command = plan

  assert {
    condition     = output.ecs_cluster_name == "stockwiz-${var.environment}"
    error_message = "The cluster must be named stockwiz-<environment>."
  }

  assert {
    condition = output.ecs_service_names == {
      product   = "stockwiz-${var.environment}-product"
      inventory = "stockwiz-${var.environment}-inventory"
      gateway   = "stockwiz-${var.environment}-gateway"
    }
    error_message = "There must be exactly three services named stockwiz-<environment>-<role>."
  }

  assert {
    condition     = alltrue([for role, service in module.service : service.container_environment["ROLE"] == role])
    error_message = "Each service's container must run with ROLE set to its own role."
  }

  assert {
    condition     = module.migrate.container_environment["ROLE"] == "migrate" && module.migrate.family == "stockwiz-${var.environment}-migrate"
    error_message = "The migrate task definition must be stockwiz-<environment>-migrate with ROLE=migrate."
  }

  assert {
    condition     = alltrue([for service in module.service : service.container_environment["DEBUG"] == "0"])
    error_message = "DEBUG must be off in every service."
  }

  assert {
    condition = alltrue([for service in module.service :
    contains(service.container_secret_names, "SECRET_KEY") && contains(service.container_secret_names, "DB_PASSWORD")])
    error_message = "SECRET_KEY and DB_PASSWORD must reach the containers as ECS secrets."
  }

  assert {
    condition = (
      module.service["gateway"].container_environment["PRODUCT_SERVICE_URL"] == "http://product.stockwiz.local:8000" &&
      module.service["gateway"].container_environment["INVENTORY_SERVICE_URL"] == "http://inventory.stockwiz.local:8000"
    )
    error_message = "The gateway must reach product and inventory by their private names."
  }

  assert {
    condition = (
      module.service["gateway"].load_balancer_attached &&
      !module.service["product"].load_balancer_attached &&
      !module.service["inventory"].load_balancer_attached
    )
    error_message = "Only the gateway may be registered in the load balancer."
  }

  assert {
    condition = (
      module.service["gateway"].allowed_source_labels == tolist(["alb"]) &&
      module.service["product"].allowed_source_labels == tolist(["gateway"]) &&
      module.service["inventory"].allowed_source_labels == tolist(["gateway"])
    )
    error_message = "Only the load balancer may reach the gateway, and only the gateway the other services."
  }

  assert {
    condition     = module.service["gateway"].autoscaling_policy_types == ["ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"]
    error_message = "The gateway must scale on CPU and on requests per task."
  }

  assert {
    condition     = module.service["product"].autoscaling_policy_types == ["ECSServiceAverageCPUUtilization"]
    error_message = "The product service must scale on CPU."
  }

  assert {
    condition = alltrue([
      for rule in concat(module.alb.ingress_cidr_rules, module.vpc.ingress_cidr_rules, module.rds.ingress_cidr_rules) :
      rule.cidr != "0.0.0.0/0" || contains([80, 443], rule.from_port) && rule.from_port == rule.to_port
    ])
    error_message = "Only the load balancer may accept traffic from anywhere, and only on 80 and 443."
  }

  assert {
    condition = (
      length(module.rds.ingress_cidr_rules) == 0 &&
      alltrue([for rule in module.vpc.ingress_cidr_rules : rule.cidr == var.vpc_cidr])
    )
    error_message = "The database accepts security groups only; the endpoints only the VPC."
  }

  assert {
    condition     = !module.rds.publicly_accessible && module.rds.storage_encrypted
    error_message = "The database must be private and encrypted."
  }

  assert {
    condition     = module.rds.multi_az == (var.environment == "prod")
    error_message = "The database must be Multi-AZ in prod (and only there)."
  }

  assert {
    condition     = module.rds.deletion_protection == (var.environment == "prod") && module.rds.skip_final_snapshot == (var.environment != "prod")
    error_message = "Prod's database must refuse deletion and keep a final snapshot."
  }

  assert {
    condition     = module.vpc.nat_gateway_count == (var.nat_gateways == "per_az" ? 2 : 1)
    error_message = "NAT gateways must follow nat_gateways."
  }

  assert {
    condition     = var.environment != "prod" || module.vpc.nat_gateway_count == 2
    error_message = "Prod needs one NAT gateway per zone."
  }

  assert {
    condition     = module.alb.http_listener_action == (var.certificate_arn == null ? "forward" : "redirect")
    error_message = "Port 80 must redirect to HTTPS whenever a certificate is given."
  }

  assert {
    condition     = alltrue([for role in ["product", "inventory", "gateway"] : module.monitoring.alarms["cpu_${role}"].threshold == 80 && module.monitoring.alarms["cpu_${role}"].comparison == "GreaterThanThreshold"])
    error_message = "Every service needs a CPU > 80% alarm."
  }

  assert {
    condition     = module.monitoring.alarms.alb_5xx_rate.threshold == 5 && module.monitoring.alarms.alb_5xx_rate.comparison == "GreaterThanThreshold"
    error_message = "The 5xx alarm must fire above 5% of requests."
  }

  assert {
    condition     = module.monitoring.alarms.unhealthy_hosts.threshold == 0 && module.monitoring.alarms.unhealthy_hosts.comparison == "GreaterThanThreshold"
    error_message = "The unhealthy-hosts alarm must fire as soon as one task is unhealthy."
  }

  assert {
    condition     = module.monitoring.alarms.db_free_storage.comparison == "LessThanThreshold" && module.monitoring.alarms.db_free_storage.threshold == var.db_allocated_storage_gb * 1073741824 / 10
    error_message = "The database storage alarm must fire below 10% of the initial storage."
  }
}

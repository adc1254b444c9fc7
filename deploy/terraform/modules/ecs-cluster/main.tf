resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# Cloud Map private DNS: each service registers its tasks' addresses as
# <role>.<discovery_domain>, resolvable only inside this VPC.
resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = var.discovery_domain
  description = "Private names of the ${var.name} services"
  vpc         = var.vpc_id
}

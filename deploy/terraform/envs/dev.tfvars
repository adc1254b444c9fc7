environment        = "dev"
aws_region         = "eu-west-1"
availability_zones = ["eu-west-1a", "eu-west-1b"]
image_tag          = "0.1.0"
vpc_cidr           = "10.20.0.0/16"
nat_gateways       = "single"

services = {
  product   = { cpu = 256, memory = 512, min_count = 1, max_count = 2 }
  inventory = { cpu = 256, memory = 512, min_count = 1, max_count = 2 }
  gateway   = { cpu = 256, memory = 512, min_count = 1, max_count = 2 }
}
web_concurrency = 2
log_level       = "DEBUG"

log_retention_days = 14
ecr_keep_images    = 20

# Plain HTTP on the load balancer's own name; dev has no certificate.
certificate_arn = null

db_instance_class           = "db.t4g.micro"
db_allocated_storage_gb     = 20
db_max_allocated_storage_gb = 50
db_backup_retention_days    = 1

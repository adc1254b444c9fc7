resource "aws_ecr_repository" "this" {
  name = var.name

  # A tag always names the same image, so rolling back to a tag is exact.
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    #checkov:skip=CKV_AWS_136:Encrypted with the AWS-managed ECR KMS key; a customer-managed key adds key-policy upkeep with no consumer needing it.
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last ${var.keep_images} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.keep_images
      }
      action = { type = "expire" }
    }]
  })
}

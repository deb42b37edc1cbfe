# Proving silos in their private subnet: no public address, cluster ports from the VPC only (the silo security group).
# Each has a fixed private address (its config.toml names it); egress goes through the NAT gateway.

locals {
  private_ips = [for i in range(var.proving_count) : cidrhost(var.subnet_cidr, 10 + i)]
}

resource "aws_instance" "this" {
  count                       = var.proving_count
  ami                         = var.ami_id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  private_ip                  = local.private_ips[count.index]
  associate_public_ip_address = false
  vpc_security_group_ids      = [var.silo_security_group_id]
  key_name                    = var.key_name

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_size = var.root_volume_gb
    volume_type = "gp3"
    encrypted   = true
  }

  dynamic "ebs_block_device" {
    for_each = var.data_volume_gb > 0 ? [1] : []
    content {
      device_name = "/dev/sdf"
      volume_size = var.data_volume_gb
      volume_type = "gp3"
      encrypted   = true
    }
  }

  user_data = templatefile("${path.module}/../../templates/cloud-init.yaml.tftpl", {
    class             = "proving"
    database_password = var.database_password
    release_url       = var.release_url
    release_sha256    = var.release_sha256
    data_volume_gb    = var.data_volume_gb
    unit_file         = file("${path.module}/../../../systemd/granary-proving.service")
    config_toml = templatefile("${path.module}/../../templates/proving.toml.tftpl", {
      private_ip      = local.private_ips[count.index]
      cluster_id      = var.cluster_id
      silo_port       = var.silo_port
      api_port        = var.api_port
      dashboard_port  = var.dashboard_port
      chain_api_info  = var.chain_api_info
      database_host   = var.database_host
      database_port   = var.database_port
      database_name   = var.database_name
      database_user   = var.database_user
    })
  })
  user_data_replace_on_change = true

  tags = { Name = "${var.name}-proving-${count.index}", "granary:class" = "proving" }
}

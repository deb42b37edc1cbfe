# Proving silos in their private subnet: no public address, cluster ports from the VPC only (the silo security group).
# Each has a fixed private address (its config.toml names it); egress goes through the NAT gateway.

locals {
  private_ips  = [for i in range(var.proving_count) : cidrhost(var.subnet_cidr, 10 + i)]
  config_tomls = [for ip in local.private_ips : templatefile("${path.module}/../../templates/proving.toml.tftpl", {
    private_ip     = ip
    cluster_id     = var.cluster_id
    silo_port      = var.silo_port
    api_port       = var.api_port
    dashboard_port = var.dashboard_port
    chain_api_info = var.chain_api_info
    database_host  = var.database_host
    database_port  = var.database_port
    database_name  = var.database_name
    database_user  = var.database_user
  })]
}

module "silo" {
  source             = "../silo"
  name               = "${var.name}-proving"
  class              = "proving"
  subnet_id          = var.subnet_id
  private_ips        = local.private_ips
  config_tomls       = local.config_tomls
  security_group_ids = [var.silo_security_group_id]
  ami_id             = var.ami_id
  key_name           = var.key_name
  instance_type      = var.instance_type
  root_volume_gb     = var.root_volume_gb
  data_volume_gb     = var.data_volume_gb
  database_password  = var.database_password
  release_url        = var.release_url
  release_sha256     = var.release_sha256
}

moved {
  from = aws_instance.this
  to   = module.silo.aws_instance.this
}

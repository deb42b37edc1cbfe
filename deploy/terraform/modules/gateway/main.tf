# Markets gateways in the public subnet: the only machines the internet reaches, and only on libp2p and HTTP
# retrieval. Each has a fixed private address (its config.toml names it) and an elastic IP (announced to clients).

locals {
  private_ips = [for i in range(var.gateway_count) : cidrhost(var.subnet_cidr, 10 + i)]
}

resource "aws_security_group" "public" {
  name        = "${var.name}-gateway-public"
  description = "Granary gateway: libp2p and HTTP retrieval from the internet"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-gateway-public" }
}

resource "aws_vpc_security_group_ingress_rule" "libp2p" {
  security_group_id = aws_security_group.public.id
  description       = "libp2p: storage deals, asks, deal status, retrieval query"
  ip_protocol       = "tcp"
  from_port         = var.libp2p_port
  to_port           = var.libp2p_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "retrieval" {
  security_group_id = aws_security_group.public.id
  description       = "HTTP retrieval: /piece and /ipfs"
  ip_protocol       = "tcp"
  from_port         = var.retrieval_port
  to_port           = var.retrieval_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_eip" "this" {
  count  = var.gateway_count
  domain = "vpc"
  tags   = { Name = "${var.name}-gateway-${count.index}" }
}

locals {
  config_tomls = [for i, ip in local.private_ips : templatefile("${path.module}/../../templates/markets.toml.tftpl", {
    private_ip      = ip
    public_ip       = aws_eip.this[i].public_ip
    cluster_id      = var.cluster_id
    silo_port       = var.silo_port
    api_port        = var.api_port
    dashboard_port  = var.dashboard_port
    libp2p_port     = var.libp2p_port
    retrieval_port  = var.retrieval_port
    chain_api_info  = var.chain_api_info
    database_host   = var.database_host
    database_port   = var.database_port
    database_name   = var.database_name
    database_user   = var.database_user
    max_staging_gib = var.data_volume_gb > 0 ? floor(var.data_volume_gb * 0.9) : 64
  })]
}

# No public address of their own: the elastic IP below is a gateway's only public address.
module "silo" {
  source             = "../silo"
  name               = "${var.name}-gateway"
  class              = "markets"
  subnet_id          = var.subnet_id
  private_ips        = local.private_ips
  config_tomls       = local.config_tomls
  security_group_ids = [var.silo_security_group_id, aws_security_group.public.id]
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

resource "aws_eip_association" "this" {
  count         = var.gateway_count
  allocation_id = aws_eip.this[count.index].id
  instance_id   = module.silo.instance_ids[count.index]
}

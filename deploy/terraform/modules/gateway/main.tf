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

resource "aws_instance" "this" {
  count                       = var.gateway_count
  ami                         = var.ami_id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  private_ip                  = local.private_ips[count.index]
  associate_public_ip_address = false # the elastic IP below is its only public address
  vpc_security_group_ids      = [var.silo_security_group_id, aws_security_group.public.id]
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
    class             = "markets"
    database_password = var.database_password
    release_url       = var.release_url
    release_sha256    = var.release_sha256
    data_volume_gb    = var.data_volume_gb
    unit_file         = file("${path.module}/../../../systemd/granary-markets.service")
    config_toml = templatefile("${path.module}/../../templates/markets.toml.tftpl", {
      private_ip      = local.private_ips[count.index]
      public_ip       = aws_eip.this[count.index].public_ip
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
    })
  })
  user_data_replace_on_change = true

  tags = { Name = "${var.name}-gateway-${count.index}", "granary:class" = "markets" }
}

resource "aws_eip_association" "this" {
  count         = var.gateway_count
  allocation_id = aws_eip.this[count.index].id
  instance_id   = aws_instance.this[count.index].id
}

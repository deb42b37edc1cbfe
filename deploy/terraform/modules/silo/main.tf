# The machines of one silo class (called by the gateway, sealing and proving modules): one instance per fixed private
# address, never a public address of its own (a gateway's elastic IP is attached by the gateway module), IMDSv2 only,
# encrypted gp3 root and data volumes, and cloud-init that installs Granary, writes the class's config.toml and starts
# its systemd unit.

resource "aws_instance" "this" {
  count                       = length(var.private_ips)
  ami                         = var.ami_id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  private_ip                  = var.private_ips[count.index]
  associate_public_ip_address = false
  vpc_security_group_ids      = var.security_group_ids
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
    class             = var.class
    database_password = var.database_password
    release_url       = var.release_url
    release_sha256    = var.release_sha256
    data_volume_gb    = var.data_volume_gb
    unit_file         = file("${path.module}/../../../systemd/granary-${var.class}.service")
    config_toml       = var.config_tomls[count.index]
  })
  user_data_replace_on_change = true

  tags = { Name = "${var.name}-${count.index}", "granary:class" = var.class }
}

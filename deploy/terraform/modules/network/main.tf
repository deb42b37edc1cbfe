# The VPC: one public subnet (gateways, NAT gateway), private subnets for sealing, proving and the database, a NAT
# gateway for the private subnets' egress, and the security group every silo carries (cluster ports from the VPC only).

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "${var.name}-vpc" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-igw" }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.public_subnet_cidr
  availability_zone       = var.availability_zones[0]
  map_public_ip_on_launch = false # gateways get an elastic IP each; nothing else in this subnet is public
  tags                    = { Name = "${var.name}-public" }
}

resource "aws_subnet" "sealing" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.sealing_subnet_cidr
  availability_zone       = var.availability_zones[0]
  map_public_ip_on_launch = false
  tags                    = { Name = "${var.name}-sealing" }
}

resource "aws_subnet" "proving" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.proving_subnet_cidr
  availability_zone       = var.availability_zones[0]
  map_public_ip_on_launch = false
  tags                    = { Name = "${var.name}-proving" }
}

resource "aws_subnet" "database" {
  count                   = 2
  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.database_subnet_cidrs[count.index]
  availability_zone       = var.availability_zones[count.index]
  map_public_ip_on_launch = false
  tags                    = { Name = "${var.name}-database-${count.index}" }
}

resource "aws_eip" "nat" {
  domain = "vpc"
  tags   = { Name = "${var.name}-nat" }
}

resource "aws_nat_gateway" "this" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
  tags          = { Name = "${var.name}-nat" }
  depends_on    = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
  tags = { Name = "${var.name}-public" }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this.id
  }
  tags = { Name = "${var.name}-private" }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "sealing" {
  subnet_id      = aws_subnet.sealing.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "proving" {
  subnet_id      = aws_subnet.proving.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "database" {
  count          = 2
  subnet_id      = aws_subnet.database[count.index].id
  route_table_id = aws_route_table.private.id
}

# Every silo (gateway, sealing, proving) carries this group: the Orleans silo port, the API (and /remote sector
# fetches) and the dashboard, from inside the VPC only. The database admits this group and nothing else.
resource "aws_security_group" "silo" {
  name        = "${var.name}-silo"
  description = "Granary silos: cluster, API and dashboard ports from the VPC only"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${var.name}-silo" }
}

resource "aws_vpc_security_group_ingress_rule" "silo_port" {
  security_group_id = aws_security_group.silo.id
  description       = "Orleans silo-to-silo"
  ip_protocol       = "tcp"
  from_port         = var.silo_port
  to_port           = var.silo_port
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_ingress_rule" "api" {
  security_group_id = aws_security_group.silo.id
  description       = "JSON-RPC API and /remote sector fetches"
  ip_protocol       = "tcp"
  from_port         = var.api_port
  to_port           = var.api_port
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_ingress_rule" "dashboard" {
  security_group_id = aws_security_group.silo.id
  description       = "/healthz and the Orleans dashboard"
  ip_protocol       = "tcp"
  from_port         = var.dashboard_port
  to_port           = var.dashboard_port
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_egress_rule" "silo_all" {
  security_group_id = aws_security_group.silo.id
  description       = "Egress: the database, other silos, the chain node, clients' transfer URLs (via NAT or the gateway's EIP)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

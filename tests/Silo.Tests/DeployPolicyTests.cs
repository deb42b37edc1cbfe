using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Granary.Silo.Tests.Support;
using Xunit.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// Policy checks of deploy/terraform, without a Terraform binary: every <c>.tf</c> is parsed by HashiCorp's HCL parser
/// (<c>@cdktf/hcl2json</c>, tests/interop/terraform/parse.mjs) and the parsed modules are checked — no public address
/// on sealing, proving or the database; no ingress from the internet but the gateway's libp2p and HTTP retrieval
/// ports; silo ports only from the VPC; every variable used is declared; every module input is passed and none is
/// unknown; every template variable is given; and each class's config template, rendered, is a config.toml that
/// <c>granary config validate</c> accepts. Each policy is also fed a deliberately bad snippet and must refuse it.
/// </summary>
public sealed partial class DeployPolicyTests(ITestOutputHelper output)
{
    private static readonly Lazy<TerraformTree> Shipped = new(() => TerraformTree.Parse(TerraformTree.DeployRoot));

    // The bad snippets, parsed in one run of the parser; each folder is a module named by its last segment.
    private static readonly Lazy<TerraformTree> Bad = new(() => TerraformTree.ParseFiles(new Dictionary<string, string>
    {
        ["public-instance/sealing/main.tf"] = """
            resource "aws_instance" "this" {
              ami                         = "ami-0123456789abcdef0"
              instance_type               = "g5.xlarge"
              associate_public_ip_address = true
            }
            """,
        ["unset-public-ip/proving/main.tf"] = """
            resource "aws_instance" "this" {
              ami           = "ami-0123456789abcdef0"
              instance_type = "g5.xlarge"
            }
            """,
        ["public-database/database/main.tf"] = """
            resource "aws_db_instance" "this" {
              engine              = "postgres"
              publicly_accessible = true
            }
            resource "aws_subnet" "database" {
              vpc_id                  = "vpc-1"
              cidr_block              = "10.0.4.0/24"
              map_public_ip_on_launch = true
            }
            """,
        ["eip-on-proving/proving/main.tf"] = """
            resource "aws_eip" "proving" {
              domain = "vpc"
            }
            """,
        ["ssh-open/gateway/main.tf"] = """
            variable "libp2p_port" {
              type    = number
              default = 24001
            }
            resource "aws_vpc_security_group_ingress_rule" "ssh" {
              security_group_id = "sg-1"
              ip_protocol       = "tcp"
              from_port         = 22
              to_port           = 22
              cidr_ipv4         = "0.0.0.0/0"
            }
            resource "aws_vpc_security_group_ingress_rule" "wide" {
              security_group_id = "sg-1"
              ip_protocol       = "tcp"
              from_port         = var.libp2p_port
              to_port           = 65535
              cidr_ipv4         = "0.0.0.0/0"
            }
            """,
        ["inline-open/sealing/main.tf"] = """
            resource "aws_security_group" "sealing" {
              vpc_id = "vpc-1"
              ingress {
                from_port   = 11111
                to_port     = 11111
                protocol    = "tcp"
                cidr_blocks = ["0.0.0.0/0"]
              }
            }
            resource "aws_security_group_rule" "all" {
              type              = "ingress"
              security_group_id = "sg-1"
              protocol          = "-1"
              from_port         = 0
              to_port           = 0
              ipv6_cidr_blocks  = ["::/0"]
            }
            """,
        ["silo-port-wide/network/main.tf"] = """
            variable "vpc_cidr" {
              type    = string
              default = "10.0.0.0/16"
            }
            variable "api_port" {
              type    = number
              default = 2345
            }
            resource "aws_vpc_security_group_ingress_rule" "silo" {
              security_group_id = "sg-1"
              ip_protocol       = "tcp"
              from_port         = 11000
              to_port           = 12000
              cidr_ipv4         = "10.0.0.0/8"
            }
            resource "aws_vpc_security_group_ingress_rule" "api" {
              security_group_id = "sg-1"
              ip_protocol       = "tcp"
              from_port         = var.api_port
              to_port           = var.api_port
              cidr_ipv4         = "192.168.0.0/16"
            }
            resource "aws_vpc_security_group_ingress_rule" "fine" {
              security_group_id = "sg-1"
              ip_protocol       = "tcp"
              from_port         = 11111
              to_port           = 11111
              cidr_ipv4         = var.vpc_cidr
            }
            """,
        ["undeclared/sealing/main.tf"] = """
            variable "name" {
              type = string
            }
            resource "aws_instance" "this" {
              ami           = var.ami_id
              instance_type = "${var.name}-${var.instance_typo}"
              associate_public_ip_address = false
            }
            """,
        ["inputs/example/main.tf"] = """
            module "network" {
              source   = "../modules/network"
              name     = "granary"
              vpc_cdir = "10.0.0.0/16"
            }
            """,
        ["template/gateway/main.tf"] = """
            resource "aws_instance" "this" {
              associate_public_ip_address = false
              user_data = templatefile("${path.module}/../../templates/markets.toml.tftpl", {
                private_ip = "10.0.1.10"
                public_ip  = "203.0.113.10"
              })
            }
            """,
    }));

    [Fact]
    public void Sealing_proving_and_the_database_have_no_public_address()
    {
        Assert.Empty(Shipped.Value.Modules.SelectMany(TerraformPolicy.PublicAddresses));
        // Sealing and proving have their instances from the shared silo module, whose instances are held to the same rule.
        foreach (var klass in new[] { "sealing", "proving" })
        {
            var module = Shipped.Value.Module($"modules/{klass}");
            Assert.Empty(module.Resources("aws_instance"));
            Assert.Equal(["../silo"], module.ModuleCalls().Select(c => c.Body.GetProperty("source").GetString()!).ToArray());
        }

        Assert.NotEmpty(Shipped.Value.Module("modules/silo").Resources("aws_instance"));
        // The gateway and the NAT gateway are the only holders of elastic IPs.
        var eips = Shipped.Value.Modules.SelectMany(m => m.Resources("aws_eip").Select(r => m.Name)).Distinct().Order().ToArray();
        Assert.Equal(["gateway", "network"], eips);
    }

    [Fact]
    public void The_public_address_policy_refuses_public_instances_databases_subnets_and_elastic_ips()
    {
        var found = Violations(TerraformPolicy.PublicAddresses);
        Assert.Contains(found, v => v.Contains("public-instance/sealing", StringComparison.Ordinal) && v.Contains("associate_public_ip_address", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("unset-public-ip/proving", StringComparison.Ordinal) && v.Contains("associate_public_ip_address", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("publicly_accessible", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("map_public_ip_on_launch", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("eip-on-proving", StringComparison.Ordinal) && v.Contains("aws_eip", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_gateways_libp2p_and_retrieval_ports_are_open_to_the_internet()
    {
        Assert.Empty(Shipped.Value.Modules.SelectMany(TerraformPolicy.OpenIngress));
        // And those two are open: the gateway is reachable at all.
        var gateway = Shipped.Value.Module("modules/gateway");
        var open = gateway.IngressRules().Where(r => r.Cidrs.Contains("0.0.0.0/0")).Select(r => r.FromPort.GetString()!).Order().ToArray();
        Assert.Equal(["${var.libp2p_port}", "${var.retrieval_port}"], open);
    }

    [Fact]
    public void The_internet_ingress_policy_refuses_other_ports_inline_rules_and_all_protocols()
    {
        var found = Violations(TerraformPolicy.OpenIngress);
        Assert.Contains(found, v => v.Contains("aws_vpc_security_group_ingress_rule.ssh", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("aws_vpc_security_group_ingress_rule.wide", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("aws_security_group.sealing", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("aws_security_group_rule.all", StringComparison.Ordinal) && v.Contains("::/0", StringComparison.Ordinal));
    }

    [Fact]
    public void Silo_api_and_dashboard_ports_are_open_to_the_VPC_only()
    {
        Assert.Empty(Shipped.Value.Modules.SelectMany(TerraformPolicy.SiloPorts));
        var network = Shipped.Value.Module("modules/network");
        var rules = network.IngressRules().Where(r => r.Resource.StartsWith("aws_vpc_security_group_ingress_rule.", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rules.Count);
        Assert.All(rules, r => Assert.Equal(["${var.vpc_cidr}"], r.Cidrs));
    }

    [Fact]
    public void The_silo_port_policy_refuses_a_range_covering_a_silo_port_from_outside_the_VPC()
    {
        var found = Violations(TerraformPolicy.SiloPorts);
        Assert.Contains(found, v => v.Contains("aws_vpc_security_group_ingress_rule.silo", StringComparison.Ordinal) && v.Contains("10.0.0.0/8", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("aws_vpc_security_group_ingress_rule.api", StringComparison.Ordinal) && v.Contains("192.168.0.0/16", StringComparison.Ordinal));
        Assert.DoesNotContain(found, v => v.Contains("aws_vpc_security_group_ingress_rule.fine", StringComparison.Ordinal));
        // The inline 0.0.0.0/0 rule on 11111 is a silo port open to the world, too.
        Assert.Contains(found, v => v.Contains("aws_security_group.sealing", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_variable_a_module_uses_is_declared_in_it()
    {
        Assert.Empty(Shipped.Value.Modules.SelectMany(TerraformPolicy.UndeclaredVariables));
    }

    [Fact]
    public void The_declared_variable_policy_refuses_an_undeclared_variable()
    {
        var found = Violations(TerraformPolicy.UndeclaredVariables);
        Assert.Contains(found, v => v.Contains("var.ami_id", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("var.instance_typo", StringComparison.Ordinal));
        Assert.DoesNotContain(found, v => v.Contains("var.name", StringComparison.Ordinal));
    }

    [Fact]
    public void The_example_passes_every_module_input_and_none_unknown()
    {
        var example = Shipped.Value.Module("example");
        Assert.Equal(["database", "gateway", "network", "proving", "sealing"], example.ModuleCalls().Select(c => c.Name).Order().ToArray());
        Assert.Empty(TerraformPolicy.ModuleInputs(example, Shipped.Value));
        // And the gateway, sealing and proving modules pass the shared silo module every input it needs.
        foreach (var klass in new[] { "gateway", "sealing", "proving" })
        {
            var module = Shipped.Value.Module($"modules/{klass}");
            Assert.Equal(["silo"], module.ModuleCalls().Select(c => c.Name).ToArray());
            Assert.Empty(TerraformPolicy.ModuleInputs(module, Shipped.Value));
        }
    }

    [Fact]
    public void The_module_input_policy_refuses_a_missing_input_and_an_unknown_one()
    {
        var found = TerraformPolicy.ModuleInputs(Bad.Value.Module("inputs/example"), Shipped.Value, moduleBase: "example");
        Assert.Contains(found, v => v.Contains("availability_zones", StringComparison.Ordinal) && v.Contains("not passed", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains("vpc_cdir", StringComparison.Ordinal) && v.Contains("unknown", StringComparison.Ordinal));
        Assert.DoesNotContain(found, v => v.Contains("\"name\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_template_variable_is_given_by_the_module_that_renders_it()
    {
        var calls = Shipped.Value.Modules.SelectMany(m => m.TemplateCalls()).ToList();
        // cloud-init in the shared silo module and a config template for each of the three class modules.
        Assert.Equal(4, calls.Count);
        Assert.Single(calls, c => c.Template.EndsWith("cloud-init.yaml.tftpl", StringComparison.Ordinal));
        Assert.Empty(Shipped.Value.Modules.SelectMany(TerraformPolicy.TemplateVariables));
    }

    [Fact]
    public void The_template_policy_refuses_a_template_variable_not_given()
    {
        var found = Bad.Value.Modules.SelectMany(TerraformPolicy.TemplateVariables).ToList();
        Assert.Contains(found, v => v.Contains("markets.toml.tftpl", StringComparison.Ordinal) && v.Contains("database_host", StringComparison.Ordinal));
        Assert.DoesNotContain(found, v => v.Contains("'private_ip'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("markets", "Markets")]
    [InlineData("sealing", "Sealing,SectorStorage")]
    [InlineData("proving", "Mining,SectorStorage")]
    public async Task The_user_data_config_of_each_class_renders_to_a_config_granary_accepts(string klass, string subsystems)
    {
        var module = Shipped.Value.Module(klass == "markets" ? "modules/gateway" : $"modules/{klass}");
        var call = Assert.Single(module.TemplateCalls(), c => c.Template.EndsWith($"{klass}.toml.tftpl", StringComparison.Ordinal));
        var template = File.ReadAllText(Path.Combine(module.Directory, call.Template));
        var rendered = TerraformTemplate.Render(template, ExampleValues(module, klass));
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "config.toml");
        File.WriteAllText(path, rendered);
        var (code, output) = await GranaryProcess.RunAsync(["config", "validate", path]);
        Assert.True(code == 0, $"rendered {klass} config refused:\n{output}\n{rendered}");
        Assert.Contains($"subsystems: {subsystems}; database: PostgreSql", output);
        Assert.Contains($"AdvertisedAddress = \"{ExampleValues(module, klass)["private_ip"]}\"", rendered);
    }

    [Theory]
    [InlineData("markets", 500)]
    [InlineData("sealing", 2000)]
    [InlineData("proving", 0)]
    public void The_cloud_init_of_each_class_writes_its_config_environment_and_unit_and_starts_it(string klass, int dataVolumeGb)
    {
        var module = Shipped.Value.Module(klass == "markets" ? "modules/gateway" : $"modules/{klass}");
        var config = TerraformTemplate.Render(File.ReadAllText(Path.Combine(TerraformTree.DeployRoot, "templates", $"{klass}.toml.tftpl")), ExampleValues(module, klass));
        var unit = File.ReadAllText(Path.Combine(RepoRoot.Path, "deploy", "systemd", $"granary-{klass}.service"));
        var cloudInit = TerraformTemplate.Render(File.ReadAllText(Path.Combine(TerraformTree.DeployRoot, "templates", "cloud-init.yaml.tftpl")), new Dictionary<string, string>
        {
            ["class"] = klass,
            ["database_password"] = "s3cret-Password",
            ["release_url"] = "https://releases.example.com/granary-linux-x64.tar.gz",
            ["release_sha256"] = new string('a', 64),
            ["data_volume_gb"] = dataVolumeGb.ToString(CultureInfo.InvariantCulture),
            ["unit_file"] = unit,
            ["config_toml"] = config,
        });

        Assert.StartsWith("#cloud-config\n", cloudInit, StringComparison.Ordinal);
        // The YAML block scalars hold the files exactly (6 spaces in, as cloud-init strips them).
        Assert.Equal(config.TrimEnd(), WrittenFile(cloudInit, "/etc/granary/config.toml"));
        Assert.Equal(unit.TrimEnd(), WrittenFile(cloudInit, $"/etc/systemd/system/granary-{klass}.service"));
        Assert.Contains("PGPASSWORD=s3cret-Password", WrittenFile(cloudInit, $"/etc/granary/{klass}.env"));
        Assert.DoesNotContain("s3cret-Password", config);
        Assert.Contains($"[systemctl, enable, --now, granary-{klass}.service]", cloudInit);
        Assert.Contains("sha256sum -c -", cloudInit);
        Assert.Equal(dataVolumeGb > 0, cloudInit.Contains("mkfs.xfs", StringComparison.Ordinal));
        Assert.DoesNotContain("%{", cloudInit);
        Assert.DoesNotContain("${", cloudInit);
    }

    [Fact]
    public async Task A_bad_rendered_config_is_refused_by_granary_config_validate()
    {
        var template = File.ReadAllText(Path.Combine(TerraformTree.DeployRoot, "templates", "markets.toml.tftpl"));
        var values = ExampleValues(Shipped.Value.Module("modules/gateway"), "markets");
        values["private_ip"] = "0.0.0.0"; // not an address other silos can dial
        values["silo_port"] = values["api_port"]; // a port clash
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "config.toml");
        File.WriteAllText(path, TerraformTemplate.Render(template, values));
        var (code, output) = await GranaryProcess.RunAsync(["config", "validate", path]);
        Assert.NotEqual(0, code);
        Assert.Contains("AdvertisedAddress", output);
        Assert.Contains("port 2345 is already used", output);
        // And a placeholder the renderer does not know is an error, not an empty string.
        Assert.Throws<KeyNotFoundException>(() => TerraformTemplate.Render("x = \"${no_such_value}\"", values));
    }

    [Fact]
    public void The_parser_refuses_text_that_is_not_HCL()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TerraformTree.ParseFiles(new Dictionary<string, string>
        {
            ["broken/sealing/main.tf"] = "resource \"aws_instance\" \"x\" {\n  ami = \n",
        }));
        Assert.Contains("hcl2json", error.Message);
    }

    /// <summary>The values the module gives its config template, for the example's defaults (the network module's
    /// subnets, the database module's names).</summary>
    private static Dictionary<string, string> ExampleValues(TerraformModule module, string klass)
    {
        var network = Shipped.Value.Module("modules/network");
        var subnet = network.Default(klass switch { "markets" => "public_subnet_cidr", "sealing" => "sealing_subnet_cidr", _ => "proving_subnet_cidr" });
        var values = new Dictionary<string, string>
        {
            ["private_ip"] = CidrHost(subnet, 10),
            ["cluster_id"] = "granary",
            ["silo_port"] = module.Default("silo_port"),
            ["api_port"] = module.Default("api_port"),
            ["dashboard_port"] = module.Default("dashboard_port"),
            ["chain_api_info"] = "eyJhbGciOiJIUzI1NiJ9.e30.sig:/ip4/10.0.2.5/tcp/1234/http",
            ["database_host"] = "granary-postgres.abcdefghijkl.us-east-2.rds.amazonaws.com",
            ["database_port"] = module.Default("database_port"),
            ["database_name"] = "granary",
            ["database_user"] = "granary",
        };
        if (klass == "markets")
        {
            values["public_ip"] = "203.0.113.10";
            values["libp2p_port"] = module.Default("libp2p_port");
            values["retrieval_port"] = module.Default("retrieval_port");
            values["max_staging_gib"] = "450";
        }
        else if (klass == "sealing")
        {
            values["gpu_slots"] = module.Default("gpu_slots");
            values["gpu_stage_slots"] = "1";
        }

        return values;
    }

    // The content of a write_files entry of a rendered cloud-config: the "content: |" block of the entry with that path.
    private static string WrittenFile(string cloudInit, string path)
    {
        var lines = cloudInit.Split('\n');
        var at = Array.FindIndex(lines, l => l == $"  - path: {path}");
        Assert.True(at >= 0, $"no write_files entry for {path}");
        var content = Array.FindIndex(lines, at, l => l == "    content: |");
        var block = lines.Skip(content + 1).TakeWhile(l => l.Length == 0 || l.StartsWith("      ", StringComparison.Ordinal))
            .Select(l => l.Length == 0 ? l : l[6..]);
        return string.Join('\n', block).TrimEnd();
    }

    private static string CidrHost(string cidr, int host)
    {
        var network = IPAddress.Parse(cidr.Split('/')[0]).GetAddressBytes();
        network[3] = (byte)(network[3] + host);
        return new IPAddress(network).ToString();
    }

    private List<string> Violations(Func<TerraformModule, IEnumerable<string>> policy)
    {
        List<string> found = [.. Bad.Value.Modules.SelectMany(policy)];
        found.ForEach(output.WriteLine);
        return found;
    }
}

/// <summary>Every <c>.tf</c> of a folder, parsed by hcl2json, grouped into modules (one per folder).</summary>
internal sealed class TerraformTree
{
    private TerraformTree(string root, IReadOnlyList<TerraformModule> modules)
    {
        Root = root;
        Modules = modules;
    }

    /// <summary>deploy/terraform of this checkout.</summary>
    public static string DeployRoot => Path.Combine(RepoRoot.Path, "deploy", "terraform");

    public string Root { get; }

    public IReadOnlyList<TerraformModule> Modules { get; }

    /// <summary>The module in <paramref name="relative"/> (a folder under <see cref="Root"/>).</summary>
    public TerraformModule Module(string relative) =>
        Modules.SingleOrDefault(m => m.Relative == relative) ?? throw new InvalidOperationException($"no module {relative} under {Root}");

    public static TerraformTree Parse(string root)
    {
        var json = JsonDocument.Parse(RunParser(root)).RootElement.GetProperty("files");
        var byFolder = json.EnumerateObject()
            .GroupBy(f => Path.GetDirectoryName(f.Name)!.Replace('\\', '/'))
            .Select(g => new TerraformModule(root, g.Key, [.. g.Select(f => f.Value.Clone())]))
            .OrderBy(m => m.Relative, StringComparer.Ordinal)
            .ToList();
        return new TerraformTree(root, byFolder);
    }

    /// <summary>Writes <paramref name="files"/> (relative path → text) to a temporary folder and parses them.</summary>
    public static TerraformTree ParseFiles(IReadOnlyDictionary<string, string> files)
    {
        var root = Directory.CreateTempSubdirectory("granary-tf-").FullName;
        try
        {
            foreach (var (path, text) in files)
            {
                var full = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }

            return Parse(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string RunParser(string root)
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "interop", "terraform");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "@cdktf", "hcl2json")))
        {
            throw new InvalidOperationException($"{dir}/node_modules is missing: run tests/setup/30-npm.sh (./test.sh does) to install @cdktf/hcl2json");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("parse.mjs");
        info.ArgumentList.Add(root);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("node is not installed");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException("node parse.mjs did not finish");
        }

        return process.ExitCode == 0 ? stdout.Result : throw new InvalidOperationException($"node parse.mjs {root} failed: {stderr.Result}");
    }
}

/// <summary>An ingress rule, whichever way it is written (inline block, aws_security_group_rule, aws_vpc_security_group_ingress_rule).</summary>
internal sealed record IngressRule(string Resource, IReadOnlyList<string> Cidrs, JsonElement FromPort, JsonElement ToPort, string Protocol, bool FromSecurityGroup);

/// <summary>A module call of a root module: its name and arguments.</summary>
internal sealed record ModuleCall(string Name, JsonElement Body);

/// <summary>A <c>templatefile("${path.module}/PATH", { KEY = … })</c> call: the template (relative to the module) and the keys it gives.</summary>
internal sealed record TemplateCall(string Resource, string Template, IReadOnlyList<string> Keys);

/// <summary>One folder's parsed <c>.tf</c> files.</summary>
internal sealed partial class TerraformModule(string root, string relative, IReadOnlyList<JsonElement> files)
{
    public string Relative { get; } = relative;

    /// <summary>The folder name: network, database, gateway, sealing, proving, example.</summary>
    public string Name => Relative.Split('/')[^1];

    public string Directory => Path.Combine(root, Relative);

    public IReadOnlyList<JsonElement> Files { get; } = files;

    /// <summary>Resources of a type: (address, body).</summary>
    public IEnumerable<(string Address, JsonElement Body)> Resources(string type) =>
        AllResources().Where(r => r.Address.StartsWith($"{type}.", StringComparison.Ordinal));

    public IEnumerable<(string Address, JsonElement Body)> AllResources() =>
        from file in Files
        from type in Block(file, "resource")
        from named in type.Value.EnumerateObject()
        from body in named.Value.EnumerateArray()
        select ($"{type.Name}.{named.Name}", body);

    /// <summary>Declared variables: name → whether it has a default.</summary>
    public IReadOnlyDictionary<string, JsonElement?> Variables()
    {
        var variables = new Dictionary<string, JsonElement?>(StringComparer.Ordinal);
        foreach (var v in Files.SelectMany(f => Block(f, "variable")))
        {
            variables[v.Name] = v.Value[0].TryGetProperty("default", out var d) ? d : null;
        }

        return variables;
    }

    /// <summary>A variable's default as text.</summary>
    public string Default(string variable) =>
        Variables().TryGetValue(variable, out var d) && d is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
            : throw new KeyNotFoundException($"{Relative}: variable {variable} has no default");

    public IEnumerable<ModuleCall> ModuleCalls() =>
        Files.SelectMany(f => Block(f, "module")).Select(m => new ModuleCall(m.Name, m.Value[0]));

    /// <summary>Every string anywhere in the module, with the address of the block it is in.</summary>
    public IEnumerable<(string Where, string Text)> Strings()
    {
        foreach (var file in Files)
        {
            foreach (var block in file.EnumerateObject())
            {
                foreach (var s in Walk(block.Value))
                {
                    yield return (block.Name, s);
                }
            }
        }
    }

    /// <summary>Every ingress rule of the module.</summary>
    public IEnumerable<IngressRule> IngressRules()
    {
        foreach (var (address, body) in Resources("aws_vpc_security_group_ingress_rule"))
        {
            yield return new IngressRule(address, Cidrs(body, "cidr_ipv4", "cidr_ipv6"), Get(body, "from_port"), Get(body, "to_port"),
                Text(body, "ip_protocol"), body.TryGetProperty("referenced_security_group_id", out _));
        }

        foreach (var (address, body) in Resources("aws_security_group_rule").Where(r => Text(r.Body, "type") == "ingress"))
        {
            yield return new IngressRule(address, Cidrs(body, "cidr_blocks", "ipv6_cidr_blocks"), Get(body, "from_port"), Get(body, "to_port"),
                Text(body, "protocol"), body.TryGetProperty("source_security_group_id", out _));
        }

        foreach (var (address, body) in Resources("aws_security_group"))
        {
            if (body.TryGetProperty("ingress", out var blocks))
            {
                foreach (var rule in blocks.EnumerateArray())
                {
                    yield return new IngressRule(address, Cidrs(rule, "cidr_blocks", "ipv6_cidr_blocks"), Get(rule, "from_port"), Get(rule, "to_port"),
                        Text(rule, "protocol"), rule.TryGetProperty("security_groups", out _));
                }
            }
        }
    }

    /// <summary>Every <c>templatefile(…)</c> call in the module's resources and locals.</summary>
    public IEnumerable<TemplateCall> TemplateCalls() =>
        from r in AllResources().Concat(Locals())
        from s in Walk(r.Body)
        from call in TerraformTemplate.Calls(s)
        select call with { Resource = r.Address };

    /// <summary>The module's <c>locals</c> blocks, each as ("locals", body).</summary>
    public IEnumerable<(string Address, JsonElement Body)> Locals() =>
        from file in Files
        where file.TryGetProperty("locals", out _)
        from body in file.GetProperty("locals").EnumerateArray()
        select ("locals", body);

    // The members of a top-level block kind ("resource", "variable", "module") of one file; none if the file has none.
    private static IEnumerable<JsonProperty> Block(JsonElement file, string kind) =>
        file.TryGetProperty(kind, out var block) ? block.EnumerateObject() : [];

    private static JsonElement Get(JsonElement body, string name) => body.TryGetProperty(name, out var v) ? v : default;

    private static string Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "";

    private static List<string> Cidrs(JsonElement body, params string[] names)
    {
        var list = new List<string>();
        foreach (var name in names)
        {
            if (body.TryGetProperty(name, out var v))
            {
                list.AddRange(v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.ToString()) : [v.ToString()]);
            }
        }

        return list;
    }

    private static IEnumerable<string> Walk(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                yield return e.GetString()!;
                break;
            case JsonValueKind.Array:
                foreach (var s in e.EnumerateArray().SelectMany(Walk))
                {
                    yield return s;
                }

                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    foreach (var s in Walk(p.Value))
                    {
                        yield return s;
                    }
                }

                break;
        }
    }
}

/// <summary>The policies. Each returns one line per violation, naming the module and the resource.</summary>
internal static partial class TerraformPolicy
{
    /// <summary>Modules whose machines must never have a public address (silo: the instances of sealing and proving, and
    /// of gateways, whose only public address is the elastic IP the gateway module attaches).</summary>
    private static readonly string[] PrivateModules = ["sealing", "proving", "database", "silo"];

    /// <summary>The ports of a silo the internet must never reach: silo-to-silo, the API, the dashboard.</summary>
    private static readonly int[] SiloPortNumbers = [11111, 2345, 8080];

    private static readonly string[] SiloPortVariables = ["silo_port", "api_port", "dashboard_port"];

    /// <summary>The gateway's two ports the internet may reach.</summary>
    private static readonly string[] PublicPortVariables = ["libp2p_port", "retrieval_port"];

    private static readonly string[] MetaArguments = ["source", "version", "count", "for_each", "providers", "depends_on"];

    private static readonly string[] Everywhere = ["0.0.0.0/0", "::/0"];

    /// <summary>No instance, database, subnet or elastic IP gives sealing, proving or the database a public address.</summary>
    public static IEnumerable<string> PublicAddresses(TerraformModule module)
    {
        var isPrivate = PrivateModules.Contains(module.Name);
        foreach (var (address, body) in module.Resources("aws_instance"))
        {
            if (isPrivate && !(body.TryGetProperty("associate_public_ip_address", out var v) && v.ValueKind == JsonValueKind.False))
            {
                yield return $"{module.Relative}: {address} must set associate_public_ip_address = false";
            }
        }

        foreach (var (address, body) in module.Resources("aws_db_instance"))
        {
            if (!(body.TryGetProperty("publicly_accessible", out var v) && v.ValueKind == JsonValueKind.False))
            {
                yield return $"{module.Relative}: {address} must set publicly_accessible = false";
            }
        }

        foreach (var (address, body) in module.Resources("aws_subnet"))
        {
            if (body.TryGetProperty("map_public_ip_on_launch", out var v) && v.ValueKind != JsonValueKind.False)
            {
                yield return $"{module.Relative}: {address} sets map_public_ip_on_launch (only elastic IPs on gateways are public)";
            }
        }

        if (isPrivate)
        {
            foreach (var (address, _) in module.Resources("aws_eip").Concat(module.Resources("aws_eip_association")))
            {
                yield return $"{module.Relative}: {address}: a {module.Name} module must not allocate or attach an aws_eip";
            }
        }
    }

    /// <summary>Ingress from 0.0.0.0/0 or ::/0 only in the gateway module and only on one of its two public ports.</summary>
    public static IEnumerable<string> OpenIngress(TerraformModule module)
    {
        foreach (var rule in module.IngressRules())
        {
            var open = rule.Cidrs.Where(c => Everywhere.Contains(c)).ToList();
            if (open.Count == 0)
            {
                continue;
            }

            var from = rule.FromPort.ValueKind == JsonValueKind.String ? rule.FromPort.GetString() : null;
            var to = rule.ToPort.ValueKind == JsonValueKind.String ? rule.ToPort.GetString() : null;
            var publicPort = from is not null && from == to && PublicPortVariables.Any(p => from == $"${{var.{p}}}");
            if (module.Name != "gateway" || !publicPort || rule.Protocol != "tcp")
            {
                yield return $"{module.Relative}: {rule.Resource} admits {string.Join(", ", open)} on {Describe(rule)}; only the gateway's libp2p and retrieval ports may";
            }
        }
    }

    /// <summary>A rule whose ports include a silo, API or dashboard port admits the VPC CIDR or a security group, nothing else.</summary>
    public static IEnumerable<string> SiloPorts(TerraformModule module)
    {
        var variables = module.Variables();
        foreach (var rule in module.IngressRules())
        {
            var from = Port(rule.FromPort, variables, out var fromVariable);
            var to = Port(rule.ToPort, variables, out var toVariable);
            var all = rule.Protocol is "-1" or "all";
            var covers = all
                || (fromVariable is not null && fromVariable == toVariable && SiloPortVariables.Contains(fromVariable))
                || (from is null || to is null) // cannot tell which ports: treat as covering them
                || SiloPortNumbers.Any(p => from <= p && p <= to);
            if (!covers)
            {
                continue;
            }

            var outside = rule.Cidrs.Where(c => c != "${var.vpc_cidr}").ToList();
            if (outside.Count > 0 || (rule.Cidrs.Count == 0 && !rule.FromSecurityGroup))
            {
                yield return $"{module.Relative}: {rule.Resource} opens {Describe(rule)} (a silo, API or dashboard port) to {string.Join(", ", outside.DefaultIfEmpty("?"))}; only var.vpc_cidr or a security group may";
            }
        }
    }

    /// <summary>Every <c>var.NAME</c> the module's files use is declared in the module.</summary>
    public static IEnumerable<string> UndeclaredVariables(TerraformModule module)
    {
        var declared = module.Variables();
        return module.Strings()
            .SelectMany(s => VariableReference().Matches(s.Text).Select(m => (s.Where, Name: m.Groups[1].Value)))
            .Where(r => !declared.ContainsKey(r.Name))
            .Select(r => $"{module.Relative}: var.{r.Name} is used ({r.Where}) but not declared")
            .Distinct();
    }

    /// <summary>Every module call passes each required input of the module it calls and no input the module lacks.</summary>
    public static List<string> ModuleInputs(TerraformModule root, TerraformTree tree, string? moduleBase = null)
    {
        var problems = new List<string>();
        foreach (var call in root.ModuleCalls())
        {
            var source = call.Body.GetProperty("source").GetString()!;
            var target = Path.GetRelativePath(tree.Root, Path.GetFullPath(Path.Combine(tree.Root, moduleBase ?? root.Relative, source))).Replace('\\', '/');
            var module = tree.Modules.SingleOrDefault(m => m.Relative == target);
            if (module is null)
            {
                problems.Add($"{root.Relative}: module \"{call.Name}\" has source {source}, which is not a module of {tree.Root}");
                continue;
            }

            var declared = module.Variables();
            var passed = call.Body.EnumerateObject().Select(p => p.Name).Where(n => !MetaArguments.Contains(n)).ToHashSet(StringComparer.Ordinal);
            problems.AddRange(declared.Where(v => v.Value is null && !passed.Contains(v.Key))
                .Select(v => $"{root.Relative}: module \"{call.Name}\": required input \"{v.Key}\" of {module.Relative} is not passed"));
            problems.AddRange(passed.Where(p => !declared.ContainsKey(p))
                .Select(p => $"{root.Relative}: module \"{call.Name}\": input \"{p}\" is unknown to {module.Relative}"));
        }

        return problems;
    }

    /// <summary>Every value a template refers to is given by its <c>templatefile</c> call, and the template exists.</summary>
    public static IEnumerable<string> TemplateVariables(TerraformModule module)
    {
        foreach (var call in module.TemplateCalls())
        {
            var path = Path.GetFullPath(Path.Combine(module.Directory, call.Template));
            // Templates of the bad snippets are the shipped ones, found through the same relative path from a module.
            if (!File.Exists(path))
            {
                path = Path.GetFullPath(Path.Combine(TerraformTree.DeployRoot, "modules", module.Name, call.Template));
            }

            if (!File.Exists(path))
            {
                yield return $"{module.Relative}: {call.Resource} renders {call.Template}, which does not exist";
                continue;
            }

            foreach (var name in TerraformTemplate.References(File.ReadAllText(path)).Where(n => !call.Keys.Contains(n)))
            {
                yield return $"{module.Relative}: {call.Resource} renders {Path.GetFileName(path)} without '{name}' (Terraform fails: vars map does not contain key \"{name}\")";
            }
        }
    }

    private static int? Port(JsonElement value, IReadOnlyDictionary<string, JsonElement?> variables, out string? variable)
    {
        variable = null;
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt32();
        }

        if (value.ValueKind == JsonValueKind.String && VariableOnly().Match(value.GetString()!) is { Success: true } m)
        {
            variable = m.Groups[1].Value;
            return variables.TryGetValue(variable, out var d) && d is { ValueKind: JsonValueKind.Number } n ? n.GetInt32() : null;
        }

        return null;
    }

    private static string Describe(IngressRule rule) => $"{rule.Protocol} {rule.FromPort}-{rule.ToPort}";

    [GeneratedRegex(@"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$")]
    private static partial Regex VariableOnly();
}

/// <summary>Terraform's template syntax, as far as the deploy templates use it: <c>${name}</c> and <c>%{ if … }</c>.</summary>
internal static partial class TerraformTemplate
{
    private static readonly HashSet<string> Keywords = ["if", "else", "endif", "for", "in", "endfor", "true", "false", "null"];

    /// <summary>Substitutes every <c>${name}</c> and <c>${indent(N, name)}</c> and keeps or drops each
    /// <c>%{ if name &gt; 0 ~}…%{ endif ~}</c>; a name without a value is an error (as in Terraform).</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        string Value(string name) => values.TryGetValue(name, out var v) ? v
            : throw new KeyNotFoundException($"template refers to '{name}', which has no value");

        var text = IfPositive().Replace(template, m => long.Parse(Value(m.Groups[1].Value), CultureInfo.InvariantCulture) > 0 ? m.Groups[2].Value : "");
        text = Indent().Replace(text, m => Value(m.Groups[2].Value).Replace("\n", "\n" + new string(' ', int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), StringComparison.Ordinal));
        return Placeholder().Replace(text, m => Value(m.Groups[1].Value));
    }

    /// <summary>The names a template's interpolations and directives refer to (not functions, not keywords).</summary>
    public static IReadOnlyList<string> References(string template) =>
        [.. Interpolation().Matches(template)
            .SelectMany(m => Identifier().Matches(m.Groups[1].Value))
            .Where(i => !i.Groups[2].Success && !Keywords.Contains(i.Groups[1].Value))
            .Select(i => i.Groups[1].Value)
            .Distinct()];

    /// <summary>The <c>templatefile("${path.module}/PATH", { … })</c> calls in an expression, with the keys of each map.</summary>
    public static IEnumerable<TemplateCall> Calls(string expression)
    {
        foreach (Match m in TemplateFileCall().Matches(expression))
        {
            var open = expression.IndexOf('{', m.Index + m.Length);
            if (open < 0)
            {
                continue;
            }

            yield return new TemplateCall("", m.Groups[1].Value, TopLevelKeys(expression, open));
        }
    }

    // The keys at the first level of the map literal opening at `open`: identifiers followed by '=', skipping nested
    // maps, calls and strings.
    private static List<string> TopLevelKeys(string text, int open)
    {
        var keys = new List<string>();
        var depth = 0;
        var atLineStart = true;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                i = SkipString(text, i);
                atLineStart = false;
                continue;
            }

            if (c is '{' or '(' or '[')
            {
                depth++;
                atLineStart = c == '{' && depth == 1;
                continue;
            }

            if (c is '}' or ')' or ']')
            {
                if (--depth == 0)
                {
                    break;
                }

                continue;
            }

            if (c is '\n' or ',')
            {
                atLineStart = true;
                continue;
            }

            if (depth == 1 && atLineStart && (char.IsLetter(c) || c == '_'))
            {
                var end = i;
                while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' or '-'))
                {
                    end++;
                }

                var rest = end;
                while (rest < text.Length && text[rest] == ' ')
                {
                    rest++;
                }

                if (rest < text.Length && text[rest] is '=' or ':')
                {
                    keys.Add(text[i..end]);
                }

                i = end - 1;
                atLineStart = false;
                continue;
            }

            if (!char.IsWhiteSpace(c))
            {
                atLineStart = false;
            }
        }

        return keys;
    }

    // Skips a quoted string (with its ${…} interpolations, which may hold quotes) and returns the closing quote's index.
    private static int SkipString(string text, int start)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var depth = 0;
                for (; i < text.Length; i++)
                {
                    if (text[i] == '{')
                    {
                        depth++;
                    }
                    else if (text[i] == '}' && --depth == 0)
                    {
                        break;
                    }
                }

                i++;
                continue;
            }

            if (text[i] == '"')
            {
                return i;
            }

            i++;
        }

        return text.Length;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\$\{indent\((\d+),\s*([A-Za-z_][A-Za-z0-9_]*)\)\}")]
    private static partial Regex Indent();

    [GeneratedRegex(@"%\{ if ([A-Za-z_][A-Za-z0-9_]*) > 0 ~\}\n(.*?)%\{ endif ~\}\n", RegexOptions.Singleline)]
    private static partial Regex IfPositive();

    [GeneratedRegex(@"[$%]\{~?([^}]*?)~?\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]*)\b(\s*\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"templatefile\(""\$\{path\.module\}/([^""]+)""\s*,")]
    private static partial Regex TemplateFileCall();
}

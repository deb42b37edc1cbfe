using System.Text;
using System.Text.Json;
using Granary.Grains.Storage;

namespace Granary.Grains.Tests;

/// <summary><c>sectorstore.json</c> and <c>storage.json</c> in lotus's format, read strictly.</summary>
public sealed class StoragePathConfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-storeconfig-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_lotus_docs_example_is_read_with_nulls_as_empty_lists()
    {
        // lotus-docs "Custom storage layout", as lotus-miner writes it (nil slices are null).
        var config = Parse("""
            {
              "ID": "1626519a-5e05-493b-aa7a-0af71612010b",
              "Weight": 10,
              "CanSeal": false,
              "CanStore": true,
              "MaxStorage": 0,
              "Groups": [],
              "AllowTo": [],
              "AllowTypes": null,
              "DenyTypes": null
            }
            """);

        Assert.Equal("1626519a-5e05-493b-aa7a-0af71612010b", config.Id);
        Assert.Equal(10UL, config.Weight);
        Assert.False(config.CanSeal);
        Assert.True(config.CanStore);
        Assert.Equal(0UL, config.MaxStorage);
        Assert.Empty(config.AllowTypes);
        Assert.Empty(config.AllowMiners);
        Assert.Equal("store", config.Use);
    }

    [Fact]
    public void Every_lotus_field_is_read_and_field_names_match_case_insensitively_as_in_go()
    {
        var config = Parse("""
            {"id":"a-1","weight":18446744073709551615,"canseal":true,"CANSTORE":true,"MaxStorage":1099511627776,
             "Groups":["ssd"],"AllowTo":["hdd"],"AllowTypes":["sealed","cache"],"DenyTypes":["unsealed"],
             "AllowMiners":["f01000"],"DenyMiners":["t01001"]}
            """);

        Assert.Equal(ulong.MaxValue, config.Weight);
        Assert.Equal(1UL << 40, config.MaxStorage);
        Assert.Equal("seal,store", config.Use);
        Assert.True(config.Allows(SectorFileType.Sealed));
        Assert.False(config.Allows(SectorFileType.Unsealed));
        Assert.True(config.AllowsMiner(1000));
        Assert.False(config.AllowsMiner(1001));
        Assert.False(config.AllowsMiner(1002));
    }

    [Fact]
    public void Written_files_use_lotus_field_names_in_lotus_order_and_read_back_equal()
    {
        var config = StoragePathConfig.Create(7, canSeal: true, canStore: false, maxStorage: 4096, groups: ["fast"]);
        config.Write(_directory);

        var text = File.ReadAllText(Path.Combine(_directory, "sectorstore.json"));
        var names = JsonDocument.Parse(text).RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["ID", "Weight", "CanSeal", "CanStore", "MaxStorage", "Groups", "AllowTo", "AllowTypes", "DenyTypes", "AllowMiners", "DenyMiners"], names);
        Assert.True(Guid.TryParse(config.Id, out _));
        Assert.Contains("\"AllowTo\": []", text);
        Assert.Equal(config, StoragePathConfig.Read(_directory));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("""{"ID":"a","Color":"blue"}""", "unknown field \"Color\"")]
    [InlineData("""{"ID":"a","Weight":1,"weight":2}""", "\"Weight\" appears twice")]
    [InlineData("""{"Weight":10,"CanSeal":true}""", "\"ID\" field is missing")]
    [InlineData("""{"ID":7}""", "\"ID\" must be a string")]
    [InlineData("""{"ID":""}""", "\"ID\" must be 1-128")]
    [InlineData("""{"ID":"../../etc"}""", "\"ID\" must be 1-128")]
    [InlineData("""{"ID":"a","Weight":"10"}""", "\"Weight\" must be a whole number")]
    [InlineData("""{"ID":"a","Weight":-1}""", "\"Weight\" must be a whole number")]
    [InlineData("""{"ID":"a","Weight":1.5}""", "\"Weight\" must be a whole number")]
    [InlineData("""{"ID":"a","MaxStorage":18446744073709551616}""", "\"MaxStorage\" must be a whole number")]
    [InlineData("""{"ID":"a","CanSeal":"true"}""", "\"CanSeal\" must be true or false")]
    [InlineData("""{"ID":"a","Groups":"ssd"}""", "\"Groups\" must be a list of strings")]
    [InlineData("""{"ID":"a","Groups":[1]}""", "must be a string")]
    [InlineData("""{"ID":"a","Groups":[""]}""", "empty or unprintable group name")]
    [InlineData("""{"ID":"a","AllowTypes":["everything"]}""", "not a sector file type")]
    [InlineData("""{"ID":"a","DenyMiners":["f1abc"]}""", "not a miner ID address")]
    [InlineData("""{"ID":"a","Groups":[[[["deep"]]]]}""", "not valid JSON")]
    public void Malformed_files_are_refused_naming_the_problem(string json, string expected)
    {
        var error = Assert.Throws<SectorStorageException>(() => Parse(json));
        Assert.Contains(expected, error.Message);
        Assert.Contains("sectorstore.json", error.Message);
    }

    [Fact]
    public void Oversized_files_and_lists_are_refused_before_use()
    {
        var big = $$"""{"ID":"a","Groups":["{{new string('g', StoragePathConfig.MaxFileBytes)}}"]}""";
        File.WriteAllText(Path.Combine(_directory, "sectorstore.json"), big);
        Assert.Contains("the limit is 65536", Assert.Throws<SectorStorageException>(() => StoragePathConfig.Read(_directory)).Message);

        var many = $$"""{"ID":"a","Groups":[{{string.Join(",", Enumerable.Range(0, 257).Select(i => $"\"g{i}\""))}}]}""";
        Assert.Contains("257 entries; the limit is 256", Assert.Throws<SectorStorageException>(() => Parse(many)).Message);

        var longName = $$"""{"ID":"a","Groups":["{{new string('g', 300)}}"]}""";
        Assert.Contains("300 characters", Assert.Throws<SectorStorageException>(() => Parse(longName)).Message);
    }

    [Fact]
    public void A_directory_without_sectorstore_json_is_not_a_storage_path()
    {
        var error = Assert.Throws<SectorStorageException>(() => StoragePathConfig.Read(_directory));
        Assert.Contains("is not a storage path", error.Message);
        Assert.Contains("--init", error.Message);
    }

    [Fact]
    public void A_new_path_must_seal_or_store()
    {
        Assert.Contains("--seal", Assert.Throws<SectorStorageException>(() => StoragePathConfig.Create(10, false, false, 0)).Message);
    }

    [Fact]
    public void Storage_json_in_lotus_format_round_trips()
    {
        var file = Path.Combine(_directory, "storage.json");
        Assert.Empty(StorageConfigFile.Read(file)); // no file: no paths

        Assert.Equal(["/mnt/seal", "/mnt/store"], StorageConfigFile.Parse("""{"StoragePaths":[{"Path":"/mnt/seal"},{"Path":"/mnt/store"}]}"""u8));
        StorageConfigFile.Write(file, ["/a", "/b/c"]);
        Assert.Equal(["/a", "/b/c"], StorageConfigFile.Read(file));
        Assert.Contains("\"StoragePaths\"", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("""{"StoragePaths":[{"Path":"relative/dir"}]}""", "not an absolute path")]
    [InlineData("""{"StoragePaths":[{"Path":"/a"},{"Path":"/a"}]}""", "listed twice")]
    [InlineData("""{"StoragePaths":[{"Path":"/a","Weight":1}]}""", "must be {\"Path\"")]
    [InlineData("""{"StoragePaths":[{"Path":5}]}""", "must be {\"Path\"")]
    [InlineData("""{"Paths":[]}""", "unknown field \"Paths\"")]
    [InlineData("""{"StoragePaths":{}}""", "must be a list")]
    [InlineData("""{"StoragePaths":[""", "not valid JSON")]
    public void Malformed_storage_json_is_refused(string json, string expected)
    {
        var error = Assert.Throws<SectorStorageException>(() => StorageConfigFile.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("s-t01000-5", 1000UL, 5UL)]
    [InlineData("s-t00-0", 0UL, 0UL)]
    [InlineData("s-t018446744073709551615-18446744073709551615", ulong.MaxValue, ulong.MaxValue)]
    public void Sector_names_are_lotus_file_names(string name, ulong miner, ulong number)
    {
        var sector = SectorId.Parse(name);
        Assert.Equal(new SectorId(miner, number), sector);
        Assert.Equal(name, sector.Name);
    }

    [Theory]
    [InlineData("s-t001000-5")]       // not canonical
    [InlineData("s-t01000-05")]
    [InlineData("s-t0-5")]
    [InlineData("s-t01000-")]
    [InlineData("s-t01000")]
    [InlineData("s-t1000-5")]
    [InlineData("s-t01000-5/../x")]
    [InlineData("s-t018446744073709551616-1")] // overflows
    [InlineData("s-t0+1-2")]
    [InlineData("")]
    public void Other_names_are_not_sectors(string name)
    {
        Assert.False(SectorId.TryParse(name, out _));
        Assert.Throws<FormatException>(() => SectorId.Parse(name));
    }

    private static StoragePathConfig Parse(string json) => StoragePathConfig.Parse(Encoding.UTF8.GetBytes(json));
}

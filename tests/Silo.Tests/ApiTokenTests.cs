using System.Security.Cryptography;
using System.Text;
using Granary.Silo.Api;

namespace Granary.Silo.Tests;

public sealed class ApiTokenTests
{
    private readonly ApiToken _tokens = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Admin_tokens_have_lotus_header_and_payload()
    {
        var token = _tokens.Issue(Permissions.All);

        // The prefix of every lotus admin token in the wild (reference/filecoin.md §6.1).
        Assert.StartsWith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJBbGxvdyI6WyJyZWFkIiwid3JpdGUiLCJzaWduIiwiYWRtaW4iXX0.", token);
    }

    [Fact]
    public void Tokens_verify_to_their_permissions()
    {
        var token = _tokens.Issue(Permissions.UpTo(Permission.Sign));

        Assert.Equal([Permission.Read, Permission.Write, Permission.Sign], _tokens.Verify(token, out _));
    }

    [Fact]
    public void A_token_signed_with_another_secret_is_refused()
    {
        var forged = new ApiToken(RandomNumberGenerator.GetBytes(32)).Issue(Permissions.All);

        Assert.Null(_tokens.Verify(forged, out var reason));
        Assert.Contains("signature", reason);
    }

    [Fact]
    public void A_payload_edited_after_signing_is_refused()
    {
        var parts = _tokens.Issue([Permission.Read]).Split('.');
        var admin = Convert.ToBase64String(Encoding.ASCII.GetBytes("{\"Allow\":[\"admin\"]}")).TrimEnd('=');

        Assert.Null(_tokens.Verify($"{parts[0]}.{admin}.{parts[2]}", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!.??.**")]
    public void Malformed_tokens_are_refused(string token)
    {
        Assert.Null(_tokens.Verify(token, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void Oversized_tokens_are_refused()
    {
        Assert.Null(_tokens.Verify(new string('a', ApiToken.MaxLength + 1), out _));
    }

    [Fact]
    public void Create_token_perm_includes_weaker_permissions()
    {
        Assert.Equal([Permission.Read], Permissions.UpTo(Permission.Read));
        Assert.Equal(Permissions.All, Permissions.UpTo(Permission.Admin));
    }
}

using System.ComponentModel.DataAnnotations;
using StreamWriter;

namespace GamePipeline.Tests.StreamWriter;

public sealed class StreamWriterOptionsTests
{
    private static List<ValidationResult> Validate(StreamWriterOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(96)]
    [InlineData(256)]
    public void The_default_commit_parallelism_of_twice_the_cores_is_valid_on_hosts_of_any_size(int cores)
    {
        Assert.Empty(Validate(new StreamWriterOptions { CommitParallelism = 2 * cores }));
    }

    [Fact]
    public void A_commit_parallelism_of_zero_is_refused_naming_the_option()
    {
        Assert.Contains(Validate(new StreamWriterOptions { CommitParallelism = 0 }), r => r.MemberNames.Contains(nameof(StreamWriterOptions.CommitParallelism)));
    }
}

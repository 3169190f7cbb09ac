using GamePipeline.Contracts;
using Microsoft.Playwright;

namespace GamePipeline.Tests.AppHost;

public sealed class DashboardTests
{
    private static readonly TimeSpan PageTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_readme_command_opens_a_dashboard_without_banners_that_shows_the_resources_and_the_trace_of_a_request()
    {
        await using var stack = await ReadmeStack.StartAsync();
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });
        page.SetDefaultTimeout((float)PageTimeout.TotalMilliseconds);

        await page.GotoAsync(stack.DashboardLogin.ToString());
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        var gameApiRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = ResourceNames.GameApi });
        await gameApiRow.GetByText("Running", new() { Exact = true }).WaitForAsync();
        foreach (var resource in (string[])[ResourceNames.Kafka, ResourceNames.StreamWriter, ResourceNames.CatalogSetup, ResourceNames.AnalyticsApi])
        {
            await page.GetByRole(AriaRole.Row).Filter(new() { HasText = resource }).WaitForAsync();
        }

        await AssertNoBannerAsync(page, "dashboard-resources.png");

        var gameApi = await gameApiRow.Locator("a[href^='http://localhost:']").First.GetAttributeAsync("href");
        using (var http = new HttpClient { BaseAddress = new Uri(gameApi!) })
        {
            using var response = await http.GetAsync("/purchase_a_sword");
            Assert.True(response.IsSuccessStatusCode, $"GameApi answered {response.StatusCode}");
        }

        await page.GotoAsync(new Uri(stack.DashboardLogin, "/traces").ToString());
        await page.GetByText("GET /purchase_a_sword").First.WaitForAsync();
        await AssertNoBannerAsync(page, "dashboard-traces.png");
    }

    /// <summary>The dashboard shows its warnings and errors (certificates, unsecured endpoints) as message bars atop every page.</summary>
    private static async Task AssertNoBannerAsync(IPage page, string screenshot)
    {
        await page.ScreenshotAsync(new() { Path = HeadlessChromium.ArtifactPath(screenshot) });
        var banners = page.Locator(".messagebar-container, .fluent-message-bar-provider");
        Assert.Equal("", (await banners.AllInnerTextsAsync()).Aggregate("", (all, text) => all + text).Trim());
    }
}

using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.Analytics;

[Collection(AnalyticsCollection.Name)]
public sealed class ReportTests(AnalyticsFixture analytics)
{
    [Fact]
    public async Task The_report_renders_charts_and_the_apis_numbers_in_headless_chromium()
    {
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var report = new Uri(analytics.BaseAddress, "/report").ToString();

        // The browser signs in as the report's 401 asks (Basic: any user name, the reader key as password).
        var page = await browser.NewPageAsync(new()
        {
            ViewportSize = new() { Width = 1280, Height = 1800 },
            HttpCredentials = new() { Username = "analyst", Password = TestKeys.Reader },
        });

        var response = await page.GotoAsync(report);
        Assert.Equal(200, response!.Status);

        Assert.True(await page.Locator("svg.chart").CountAsync() >= 7, "charts: tables, 3 × hosts, per minute, users, agents, funnel");
        Assert.True(await page.Locator("svg.chart rect.bar").CountAsync() >= 10);
        Assert.Equal(3, await page.Locator("#per-minute polyline.series").CountAsync());
        using var lake = new LakeQuery(analytics.Lake);
        foreach (var table in LakeTables.All)
        {
            var count = (await analytics.Client.GetFromJsonAsync<JsonElement>($"/api/tables/{table.Name}/count")).GetProperty("count").GetInt64();
            Assert.Equal(count.ToString("N0", CultureInfo.InvariantCulture), await page.Locator($"td[data-count='{table.Name}']").InnerTextAsync());
            Assert.Equal(lake.Snapshot(table.Name)!.FileCount.ToString("N0", CultureInfo.InvariantCulture), await page.Locator($"td[data-live-files='{table.Name}']").InnerTextAsync());
            Assert.NotEmpty(await page.Locator($"td[data-last-compaction='{table.Name}']").InnerTextAsync());
        }

        var swordHosts = await page.Locator("[data-hosts='sword_purchases']").InnerTextAsync();
        Assert.Contains("alpha.example", swordHosts);
        Assert.Contains("beta.example", swordHosts);
        Assert.Contains("Of 2 users who joined a guild, 1 bought a sword afterwards", await page.Locator("#funnel").InnerTextAsync());
        Assert.Equal("1", await page.Locator("td[data-duplicates='sword_purchases']").InnerTextAsync());
        Assert.Equal("0", await page.Locator("td[data-duplicates='join_guilds']").InnerTextAsync());
        Assert.Contains("refresh", await page.Locator("meta[http-equiv='refresh']").GetAttributeAsync("http-equiv") ?? "");

        var screenshot = HeadlessChromium.ArtifactPath("report.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }
}

using System.Net;
using System.Net.Sockets;

namespace GamePipeline.Hosting.Kafka;

/// <summary>
/// Forwards a fixed loopback port to one of the mock brokers. Kafka clients only bootstrap through it: the
/// metadata they receive names the brokers' real addresses, which they then connect to directly.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly IReadOnlyList<DnsEndPoint> _targets;
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = [];
    private int _nextTarget;

    public TcpForwarder(int port, IReadOnlyList<DnsEndPoint> targets)
    {
        ArgumentOutOfRangeException.ThrowIfZero(targets.Count);
        _targets = targets;

        // IPv4 first so port 0 picks the port the IPv6 listener then shares ("localhost" may resolve to either).
        var ipv4 = Listen(new IPEndPoint(IPAddress.Loopback, port));
        Port = ((IPEndPoint)ipv4.LocalEndPoint!).Port;
        if (Socket.OSSupportsIPv6)
        {
            try
            {
                Listen(new IPEndPoint(IPAddress.IPv6Loopback, Port));
            }
            catch (SocketException)
            {
                // No IPv6 loopback on this machine; IPv4 alone serves 127.0.0.1 and most "localhost" lookups.
            }
        }

        foreach (var listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }
    }

    public int Port { get; }

    private Socket Listen(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(endPoint);
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _listeners.Add(socket);
        return socket;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        using var _ = client;
        using var upstream = await ConnectUpstreamAsync();
        if (upstream is null)
        {
            return;
        }

        client.NoDelay = true;
        upstream.NoDelay = true;
        await using var clientStream = new NetworkStream(client, ownsSocket: false);
        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        var token = _stopping.Token;
        var pumps = new[] { Pump(clientStream, upstreamStream, token), Pump(upstreamStream, clientStream, token) };
        await Task.WhenAny(pumps);
        // Either side closing ends the conversation; shut both so the other pump returns too.
        client.Close();
        upstream.Close();
        await Task.WhenAll(pumps);
    }

    private async Task<Socket?> ConnectUpstreamAsync()
    {
        // Try every broker once, starting with the next in turn, so one broker that is down does not block bootstrap.
        for (var attempt = 0; attempt < _targets.Count; attempt++)
        {
            var target = _targets[(int)((uint)Interlocked.Increment(ref _nextTarget) % _targets.Count)];
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(target, _stopping.Token);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
            }
        }

        return null;
    }

    private static async Task Pump(Stream from, Stream to, CancellationToken token)
    {
        try
        {
            await from.CopyToAsync(to, token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer went away: that is how Kafka connections end.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops);
        _stopping.Dispose();
    }
}

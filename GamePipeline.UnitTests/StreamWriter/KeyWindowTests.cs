using StreamWriter.Writing;

namespace GamePipeline.Tests.StreamWriter;

public sealed class KeyWindowTests
{
    private static readonly DateTime T0 = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static KeyId Key(int n, string user = "player-1") => KeyId.Of(new Guid(n, 0, 0, new byte[8]), user);

    private static EventPosition At(long offset, int index = 0, int epoch = 0) => new(epoch, offset, index);

    [Fact]
    public void A_key_is_per_user_and_a_repeat_names_the_accepted_event()
    {
        var keys = new KeyWindow(Window);
        Assert.Null(keys.Accept(Key(1), At(10), T0));
        Assert.Null(keys.Accept(Key(1, user: "player-2"), At(11), T0));
        Assert.Equal(new KeySeen(At(10), T0), keys.Accept(Key(1), At(12), T0.AddMinutes(5)));
        Assert.Equal(2, keys.Count);
    }

    [Fact]
    public void The_window_is_measured_from_the_newest_accepted_event_when_an_event_clock_lags_behind_it()
    {
        var keys = new KeyWindow(Window);
        Assert.Null(keys.Accept(Key(1), At(0), T0));
        Assert.Null(keys.Accept(Key(2), At(1), T0.AddHours(30)));

        // Received "an hour after" the first, by a clock far behind the partition's newest event: past the window.
        Assert.Null(keys.Accept(Key(1), At(2), T0.AddHours(1)));
    }

    [Fact]
    public void The_same_position_seen_again_is_the_same_event_and_a_later_place_in_one_record_is_a_repeat()
    {
        var keys = new KeyWindow(Window);
        Assert.Null(keys.Accept(Key(1), At(5, index: 0), T0));
        Assert.Null(keys.Accept(Key(1), At(5, index: 0), T0));
        Assert.NotNull(keys.Accept(Key(1), At(5, index: 3), T0));
    }

    [Fact]
    public void A_new_epoch_comes_after_every_offset_of_the_one_before()
    {
        var keys = new KeyWindow(Window);
        Assert.Null(keys.Accept(Key(1), At(900, epoch: 0), T0));
        Assert.NotNull(keys.Accept(Key(1), At(3, epoch: 1), T0.AddMinutes(1)));
    }

    [Fact]
    public void Rollback_undoes_every_change_since_the_checkpoint_so_a_batch_parsed_again_decides_the_same()
    {
        var keys = new KeyWindow(Window);
        Assert.Null(keys.Accept(Key(1), At(0), T0));
        keys.Checkpoint();

        Assert.Null(keys.Accept(Key(2), At(1), T0.AddHours(25)));
        Assert.Null(keys.Accept(Key(1), At(2), T0.AddHours(25)));
        keys.Rollback();

        Assert.Equal(1, keys.Count);
        Assert.Equal(T0, keys.Newest);
        Assert.NotNull(keys.Accept(Key(1), At(1), T0.AddHours(2)));
    }

    [Fact]
    public void Keys_the_window_has_passed_are_forgotten_at_a_checkpoint()
    {
        var keys = new KeyWindow(Window);
        for (var i = 0; i < 100; i++)
        {
            keys.Accept(Key(i), At(i), T0.AddMinutes(i));
        }

        keys.Checkpoint();
        Assert.Equal(100, keys.Count);
        keys.Accept(Key(1000), At(1000), T0.AddHours(24).AddMinutes(50));
        keys.Checkpoint();

        // Keys received before 00:50 on the next day's window edge are gone; 00:50 and later stay.
        Assert.Equal(51, keys.Count);
    }

    [Fact]
    public void Loaded_keys_keep_the_newest_per_key_and_times_at_the_lake_precision()
    {
        var keys = new KeyWindow(Window);
        keys.Load(Key(1), At(3), T0);
        keys.Load(Key(1), At(1), T0.AddHours(-30));
        keys.Checkpoint();

        var precise = T0.AddTicks(5_000);
        Assert.Equal(new KeySeen(At(3), T0), keys.Accept(Key(1), At(4), precise));
    }
}

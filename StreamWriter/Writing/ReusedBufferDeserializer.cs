using Confluent.Kafka;

namespace StreamWriter.Writing;

/// <summary>
/// Copies each record's value into one buffer that is reused for the next record, instead of a new array per
/// record: the writer copies what it keeps into its column buffers before it consumes again, so a million-record
/// backlog costs the GC nothing here. The value is valid only until the consumer's next <c>Consume</c>.
/// </summary>
internal sealed class ReusedBufferDeserializer : IDeserializer<ReadOnlyMemory<byte>>
{
    private byte[] _buffer = new byte[64 * 1024];

    public ReadOnlyMemory<byte> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (data.Length > _buffer.Length)
        {
            _buffer = new byte[(int)Math.Min(Array.MaxLength, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)data.Length))];
        }

        data.CopyTo(_buffer);
        return _buffer.AsMemory(0, data.Length);
    }
}

package dev.profiler.formats;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flatbuf.Endianness;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.FBSerializables;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Writes one Arrow IPC stream: the schema, dictionary and record batches,
 * the end-of-stream marker. The bytes are ArrowStreamWriter's, byte for
 * byte (IpcStreamOutTest), built from Arrow's own message serializer.
 *
 * Why not ArrowStreamWriter: it needs a VectorSchemaRoot, so a
 * {@code pojo.Schema}, whose class initializer builds a Jackson ObjectMapper
 * and a JSON reader of Schema (bean introspection): ~0.1 CPU-s of the
 * recorder's start (bench/start-cost) for schemas that never change. And
 * before every batch it compares each dictionary with a copy of the one it
 * sent last, and copies it again when it grew; the capture's dictionaries
 * only grow, so a count says whether one changed.
 */
final class IpcStreamOut {
    private static final IpcOption OPTION = IpcOption.DEFAULT;

    private final WriteChannel out;
    private final CompressionCodec codec;

    IpcStreamOut(WritableByteChannel channel, CompressionCodec codec) {
        this.out = new WriteChannel(channel);
        this.codec = codec;
    }

    /**
     * The schema message. fields: in message form (a dictionary-encoded
     * column has its dictionary's value type, with the encoding).
     */
    void writeSchema(List<Field> fields) throws IOException {
        FlatBufferBuilder builder = new FlatBufferBuilder();
        int[] offsets = new int[fields.size()];
        for (int i = 0; i < offsets.length; i++) offsets[i] = fields.get(i).getField(builder);
        int fieldsOffset = org.apache.arrow.flatbuf.Schema.createFieldsVector(builder, offsets);
        int metadataOffset = FBSerializables.writeKeyValues(builder, Map.of());
        org.apache.arrow.flatbuf.Schema.startSchema(builder);
        org.apache.arrow.flatbuf.Schema.addEndianness(builder, Endianness.Little); // x86-64 and arm64 alike
        org.apache.arrow.flatbuf.Schema.addFields(builder, fieldsOffset);
        org.apache.arrow.flatbuf.Schema.addCustomMetadata(builder, metadataOffset);
        int schemaOffset = org.apache.arrow.flatbuf.Schema.endSchema(builder);
        var message = MessageSerializer.serializeMessage(builder, MessageHeader.Schema, schemaOffset, 0, OPTION);
        MessageSerializer.writeMessageBuffer(out, message.remaining(), message, OPTION);
    }

    /** The whole dictionary with this id (not a delta): its valueCount values. */
    void writeDictionary(long id, FieldVector values) throws IOException {
        try (ArrowDictionaryBatch batch = new ArrowDictionaryBatch(id, recordBatch(values.getValueCount(),
            new FieldVector[] {values}), false)) {
            MessageSerializer.serialize(out, batch, OPTION);
        }
    }

    /** One record batch of the first rows of each vector. */
    void writeBatch(int rows, FieldVector[] vectors) throws IOException {
        try (ArrowRecordBatch batch = recordBatch(rows, vectors)) {
            MessageSerializer.serialize(out, batch, OPTION);
        }
    }

    void writeEndOfStream() throws IOException {
        out.writeIntLittleEndian(MessageSerializer.IPC_CONTINUATION_TOKEN);
        out.writeIntLittleEndian(0);
    }

    /** As VectorUnloader makes it: a node per vector and child, each buffer compressed. */
    private ArrowRecordBatch recordBatch(int rows, FieldVector[] vectors) {
        List<ArrowFieldNode> nodes = new ArrayList<>();
        List<ArrowBuf> buffers = new ArrayList<>();
        for (FieldVector v : vectors) appendNodes(v, nodes, buffers);
        return new ArrowRecordBatch(rows, nodes, buffers, CompressionUtil.createBodyCompression(codec), List.of(),
            true, false); // aligned buffers; not retained again: appendNodes did
    }

    private void appendNodes(FieldVector v, List<ArrowFieldNode> nodes, List<ArrowBuf> buffers) {
        nodes.add(new ArrowFieldNode(v.getValueCount(), v.getNullCount()));
        List<ArrowBuf> own = v.getFieldBuffers();
        if (own.size() != TypeLayout.getTypeBufferCount(v.getField().getType()))
            throw new IllegalArgumentException(v.getField().getName() + ": unexpected buffer count " + own.size());
        for (ArrowBuf buf : own) {
            // the codec releases what it compresses: keep the vector's buffer ours
            buf.getReferenceManager().retain();
            buffers.add(codec.compress(v.getAllocator(), buf));
        }
        for (FieldVector child : v.getChildrenFromFields()) appendNodes(child, nodes, buffers);
    }
}

package dev.agentledger.server.revocation;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A {@code WatchRevocationsResponse} already in its protobuf wire form, as the concatenation of
 * parts made once and shared by every stream (never modified after they are made). Concatenating
 * is valid protobuf: each part is one whole field, and the parts of several events are the
 * entries of the repeated {@code events} field.
 */
final class EncodedResponse {
    /** Writes the parts as they are; reads a message back as one part (only a client reads). */
    static final MethodDescriptor.Marshaller<EncodedResponse> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(EncodedResponse value) {
            return value.new Reader();
        }

        @Override
        public EncodedResponse parse(InputStream stream) {
            try {
                return new EncodedResponse(List.of(stream.readAllBytes()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read a feed message: " + e.getMessage(), e);
            }
        }
    };

    private final List<byte[]> parts;
    private final int length;

    /** The message made of {@code parts}, which the caller no longer modifies. */
    EncodedResponse(List<byte[]> parts) {
        this.parts = List.copyOf(parts);
        long total = 0;
        for (byte[] part : this.parts) {
            total += part.length;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a feed message of " + total + " bytes");
        }
        this.length = (int) total;
    }

    /** The number of bytes on the wire (without gRPC's 5-byte message prefix). */
    int length() {
        return length;
    }

    /** Reads the parts in order; its length is known, so the transport sizes its buffer once. */
    private final class Reader extends InputStream implements KnownLength {
        private int part;
        private int offset;
        private int left = length;

        @Override
        public int available() {
            return left;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            byte[] current = next();
            int b = current[offset++] & 0xff;
            left--;
            return b;
        }

        @Override
        public int read(byte[] into, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (left == 0) {
                return -1;
            }
            int copied = 0;
            while (copied < len && left > 0) {
                byte[] current = next();
                int n = Math.min(len - copied, current.length - offset);
                System.arraycopy(current, offset, into, off + copied, n);
                offset += n;
                copied += n;
                left -= n;
            }
            return copied;
        }

        /** The part holding the next byte (requires {@code left > 0}). */
        private byte[] next() {
            while (offset == parts.get(part).length) {
                part++;
                offset = 0;
            }
            return parts.get(part);
        }
    }
}

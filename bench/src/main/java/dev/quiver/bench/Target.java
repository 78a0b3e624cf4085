package dev.quiver.bench;

/** The system under test: where its subscribers connect and where events are published. */
enum Target {

    /** Quiver: stream-edge pods for subscribers, event-ingest for publishing. */
    QUIVER {

        @Override
        String ssePath(String topic) {
            return "/v1/stream?topic=" + topic;
        }

        @Override
        String wsPath(String topic) {
            return "/v1/ws";
        }

        @Override
        String publishPath(String topic) {
            return "/v1/topics/" + topic + "/events";
        }

        @Override
        String publishBody(long seq, long sentMicros) {
            return "{\"type\":\"bench\",\"data\":{\"seq\":" + seq + ",\"sent\":" + sentMicros + "}}";
        }
    },

    /** Nchan: the locations of bench/nchan/nchan.conf; a message is the raw body. */
    NCHAN {

        @Override
        String ssePath(String topic) {
            return "/sub/" + topic;
        }

        @Override
        String wsPath(String topic) {
            return "/sub/" + topic;
        }

        @Override
        String publishPath(String topic) {
            return "/pub/" + topic;
        }

        @Override
        String publishBody(long seq, long sentMicros) {
            return "{\"seq\":" + seq + ",\"sent\":" + sentMicros + "}";
        }
    };

    abstract String ssePath(String topic);

    /** Quiver subscribes over the socket after connecting; Nchan subscribes by path. */
    abstract String wsPath(String topic);

    abstract String publishPath(String topic);

    abstract String publishBody(long seq, long sentMicros);
}

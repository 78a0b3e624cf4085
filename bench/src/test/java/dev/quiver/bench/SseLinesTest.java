package dev.quiver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class SseLinesTest {

    @Test
    void readsDataAndIdsAcrossArbitraryReadBoundariesAndChunkHeaders() {
        List<Integer> codes = new ArrayList<>();
        List<String> data = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        SseLines lines = new SseLines(new SseLines.Listener() {

            @Override
            public boolean status(int code) {
                codes.add(code);
                return true;
            }

            @Override
            public void data(CharSequence text) {
                data.add(text.toString());
                assertThat(EventFields.number(text, "seq")).isEqualTo(data.size() - 1);
            }

            @Override
            public void id(String id) {
                ids.add(id);
            }
        });
        String response = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + chunk("retry: 1000\n\n")
                + chunk("id: t.a:1-0\ndata: {\"seq\":0,\"sent\":17}\n\n")
                + chunk("id: t.a:2-0\ndata: {\"seq\":1,\"sent\":18}\n\nid: t.a:3-0\ndata: {\"seq\":2,\"sent\":19}\n\n");
        for (int i = 0; i < response.length(); i += 7) {
            lines.accept(Buffer.buffer(response.substring(i, Math.min(response.length(), i + 7))));
        }
        assertThat(codes).containsExactly(200);
        assertThat(ids).containsExactly("t.a:1-0", "t.a:2-0", "t.a:3-0");
        assertThat(data).hasSize(3).allMatch(d -> d.startsWith(" {\"seq\":"));
    }

    private static String chunk(String body) {
        return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n";
    }

    @Test
    void stopsAtAStatusOtherThan200() {
        List<String> data = new ArrayList<>();
        SseLines lines = new SseLines(new SseLines.Listener() {

            @Override
            public boolean status(int code) {
                return code == 200;
            }

            @Override
            public void data(CharSequence text) {
                data.add(text.toString());
            }

            @Override
            public void id(String id) {
            }
        });
        lines.accept(Buffer.buffer("HTTP/1.1 429 Too Many Requests\r\n\r\ndata: {\"seq\":0}\n"));
        assertThat(data).isEmpty();
    }
}

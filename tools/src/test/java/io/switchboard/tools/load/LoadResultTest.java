package io.switchboard.tools.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LoadResultTest
{
    private static final LoadResult WITH_CPU =
        new LoadResult(1000, 990, 10, 0, 0, 1_000_000_000L, 990, 12.3, 45.6, 78.9, 100.0, 250.0, 252.5252);
    private static final LoadResult WITHOUT_CPU =
        new LoadResult(1000, 990, 10, 0, 0, 1_000_000_000L, 990, 12.3, 45.6, 78.9, 100.0, Double.NaN, Double.NaN);

    @Test
    void lineIsKeyValuePairsAfterCommandAndLabel()
    {
        assertEquals("udp-load label=echo replies_per_s=990 p50_us=12.3 p99_us=45.6 p999_us=78.9 max_us=100.0" +
            " sent=1000 replies=990 lost=10 bad_replies=0 unmatched_replies=0 duration_s=1.000" +
            " server_cpu_ms=250.0 server_cpu_us_per_reply=252.53", WITH_CPU.toLine("udp-load", "echo"));
    }

    @Test
    void unmeasuredServerCpuIsLeftOut()
    {
        assertEquals("{\"command\":\"udp-load\",\"label\":\"echo\",\"replies_per_s\":990,\"p50_us\":12.3," +
            "\"p99_us\":45.6,\"p999_us\":78.9,\"max_us\":100.0,\"sent\":1000,\"replies\":990,\"lost\":10," +
            "\"bad_replies\":0,\"unmatched_replies\":0,\"duration_s\":1.000}", WITHOUT_CPU.toJson("udp-load", "echo"));
    }

    @Test
    void labelThatWouldSplitTheLineIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> WITH_CPU.toLine("udp-load", "two words"));
        assertThrows(IllegalArgumentException.class, () -> WITH_CPU.toJson("udp-load", "a\"b"));
    }
}

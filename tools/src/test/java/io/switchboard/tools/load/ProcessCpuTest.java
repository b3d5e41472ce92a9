package io.switchboard.tools.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@EnabledOnOs(OS.LINUX)
class ProcessCpuTest
{
    @Test
    void cpuOfThisProcessIsNonNegative() throws Exception
    {
        assertTrue(ProcessCpu.cpuNanos(ProcessHandle.current().pid()) >= 0);
    }

    @Test
    void cpuOfAProcessThatDoesNotExistIsAnError()
    {
        assertThrows(IOException.class, () -> ProcessCpu.cpuNanos(Long.MAX_VALUE));
    }
}

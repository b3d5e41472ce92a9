package io.switchboard.benchmarks.report;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The report's picture, four XChart bar charts in one PNG: UDP throughput and CPU per datagram beside each
 * scenario's echo floor and coturn; PeerJS beside peer@1.0.2; and every targeted ratio beside its target. Every bar
 * is a median over the run's rounds, as in the targets table.
 */
final class ReportChart
{
    private static final int PANEL_WIDTH = 800;
    private static final int PANEL_HEIGHT = 520;
    private static final Color FLOOR = new Color(0x9E9E9E);
    private static final Color SWITCHBOARD = new Color(0x1565C0);
    private static final Color REFERENCE = new Color(0xEF6C00);
    private static final Color TARGET = new Color(0x2E7D32);
    private static final List<String> UDP_LABELS =
        List.of("ICE heartbeat cached", "ICE first contact", "ICE query", "pulse", "STUN Binding");

    private ReportChart()
    {
    }

    static void write(final BenchmarkReport report, final Path png) throws IOException
    {
        final List<CategoryChart> panels = List.of(
            udpPanel(report, "UDP throughput (thousand replies/s, higher is better)", m -> m.throughput() / 1000),
            udpPanel(report, "Server CPU per datagram (us, lower is better)", Measurement::cpuUsPerOperation),
            peerJsPanel(report),
            ratioPanel(report));
        final BufferedImage image =
            new BufferedImage(2 * PANEL_WIDTH, 2 * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D graphics = image.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        for (int i = 0; i < panels.size(); i++)
        {
            final Graphics2D panel = (Graphics2D)graphics.create(
                (i % 2) * PANEL_WIDTH, (i / 2) * PANEL_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT);
            panels.get(i).paint(panel, PANEL_WIDTH, PANEL_HEIGHT);
            panel.dispose();
        }
        graphics.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static CategoryChart udpPanel(
        final BenchmarkReport report, final String title, final ToDoubleFunction<Measurement> figure)
    {
        final List<Double> floor = new ArrayList<>();
        final List<Double> switchboard = new ArrayList<>();
        final List<Double> coturn = new ArrayList<>();
        for (final String scenario : BenchmarkReport.UDP_SCENARIOS)
        {
            final boolean stun = "stun-binding".equals(scenario);
            floor.add(median(report, BenchmarkReport.FLOOR_OF.get(scenario), Measurement.FLOOR, figure));
            // null leaves the slot empty: coturn only answers STUN, switchboard answers everything else.
            switchboard.add(stun ? null : median(report, scenario, Measurement.SWITCHBOARD, figure));
            coturn.add(stun ? median(report, scenario, Measurement.REFERENCE, figure) : null);
        }
        final CategoryChart chart = chart(title);
        chart.addSeries("NIO echo floor (same size)", UDP_LABELS, floor).setFillColor(FLOOR);
        chart.addSeries("switchboard", UDP_LABELS, switchboard).setFillColor(SWITCHBOARD);
        chart.addSeries("coturn", UDP_LABELS, coturn).setFillColor(REFERENCE);
        return chart;
    }

    private static CategoryChart peerJsPanel(final BenchmarkReport report)
    {
        final List<String> labels = List.of("relays/s (thousands)", "CPU per relay (us)", "idle conn. (KiB each)");
        final CategoryChart chart = chart("PeerJS signaling: switchboard vs peer@1.0.2");
        chart.addSeries("switchboard", labels, peerJsFigures(report, Measurement.SWITCHBOARD))
            .setFillColor(SWITCHBOARD);
        chart.addSeries("peer@1.0.2", labels, peerJsFigures(report, Measurement.REFERENCE)).setFillColor(REFERENCE);
        return chart;
    }

    private static List<Double> peerJsFigures(final BenchmarkReport report, final String role)
    {
        return List.of(
            median(report, "peerjs-relay", role, Measurement::throughput) / 1000,
            median(report, "peerjs-relay", role, Measurement::cpuUsPerOperation),
            median(report, "peerjs-idle", role, Measurement::memoryPerConnectionBytes) / 1024);
    }

    private static CategoryChart ratioPanel(final BenchmarkReport report)
    {
        final List<String> labels = new ArrayList<>();
        final List<Double> ratios = new ArrayList<>();
        final List<Double> targets = new ArrayList<>();
        for (final Comparison comparison : report.comparisons())
        {
            if (comparison.bound() != Comparison.Bound.NONE)
            {
                labels.add(shortName(comparison));
                ratios.add(comparison.measured() ? comparison.ratio() : 0.0);
                targets.add(comparison.target());
            }
        }
        final CategoryChart chart = chart("switchboard / reference ratio beside its target");
        chart.getStyler().setXAxisLabelRotation(35);
        chart.addSeries("measured ratio", labels, ratios).setFillColor(SWITCHBOARD);
        chart.addSeries("target (>= or <= as in the table)", labels, targets).setFillColor(TARGET);
        return chart;
    }

    private static String shortName(final Comparison comparison)
    {
        final String subject = comparison.name().startsWith("ICE") ? "ICE" :
            comparison.name().startsWith("pulse") ? "pulse" : "PeerJS";
        final String metric = comparison.name().contains("throughput") || comparison.name().contains("relays per") ?
            "rate" : comparison.name().contains("memory") ? "memory" : "CPU";
        final String against = comparison.referenceName().startsWith("echo") ? "floor" :
            comparison.referenceName().startsWith("coturn") ? "coturn" :
            comparison.referenceName().startsWith("OpenSSL") ? "OpenSSL" : "peer";
        return subject + " " + metric + "/" + against;
    }

    private static CategoryChart chart(final String title)
    {
        final CategoryChart chart = new CategoryChartBuilder()
            .width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title).build();
        final var styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotGridVerticalLinesVisible(false);
        styler.setLabelsVisible(true);
        styler.setDecimalPattern("#,##0.##");
        styler.setYAxisMin(0.0);
        return chart;
    }

    /** @return the median over rounds, 0 when the run did not produce it (XChart cannot draw NaN). */
    private static double median(
        final BenchmarkReport report, final String scenario, final String role,
        final ToDoubleFunction<Measurement> figure)
    {
        final double median = report.median(scenario, role, figure);
        return Double.isFinite(median) ? median : 0.0;
    }
}

package io.powerai.core.gpu;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code nvidia-smi -q -x}. Its documents name a DTD ({@code nvsmi_device_v13.dtd}) that is never on the
 * machine: the parser loads no DTD and resolves no external entity (an nvidia-smi wrapper must not be able to
 * make us read files), and refuses documents that declare entities at all (nvidia-smi never does).
 */
public final class NvidiaSmiXml {
    private NvidiaSmiXml() {
    }

    public static GpuInventory parse(String xml) throws NvidiaSmiFormatException {
        Document document = read(xml);
        Element root = document.getDocumentElement();
        if (!"nvidia_smi_log".equals(root.getTagName())) {
            throw new NvidiaSmiFormatException("not an nvidia-smi -q -x document: its root element is <" + root.getTagName() + ">");
        }
        List<Gpu> gpus = new ArrayList<>();
        int index = 0;
        for (Element gpu : children(root, "gpu")) {
            gpus.add(gpu(gpu, index++));
        }
        return new GpuInventory(Values.text(childText(root, "driver_version")), Values.text(childText(root, "cuda_version")), gpus);
    }

    private static Gpu gpu(Element e, int index) throws NvidiaSmiFormatException {
        String uuid = Values.text(childText(e, "uuid"));
        Element memory = child(e, "fb_memory_usage");
        Element power = child(e, "gpu_power_readings");
        if (power == null) {
            power = child(e, "power_readings"); // drivers before R535 (nvsmi_device_v11 and older)
        }
        String draw = null;
        String limit = null;
        if (power != null) {
            draw = childText(power, "instant_power_draw");
            if (Values.unknown(draw)) {
                draw = childText(power, "power_draw");
            }
            if (Values.unknown(draw)) {
                draw = childText(power, "average_power_draw");
            }
            limit = childText(power, "current_power_limit");
            if (Values.unknown(limit)) {
                limit = childText(power, "power_limit");
            }
        }
        Element migMode = child(e, "mig_mode");
        List<MigDevice> migs = new ArrayList<>();
        Element migDevices = child(e, "mig_devices");
        if (migDevices != null) {
            for (Element mig : children(migDevices, "mig_device")) {
                migs.add(mig(mig));
            }
        }
        List<GpuProcess> processes = new ArrayList<>();
        Element processList = child(e, "processes");
        if (processList != null) {
            for (Element p : children(processList, "process_info")) {
                Long pid = Values.whole(childText(p, "pid"));
                if (pid != null) {
                    processes.add(new GpuProcess(uuid, pid, Values.text(childText(p, "process_name")),
                            Values.text(childText(p, "type")), Values.whole(childText(p, "used_memory"))));
                }
            }
        }
        try {
            return new Gpu(index, uuid, Values.text(childText(e, "product_name")), Values.text(e.getAttribute("id")),
                    memory == null ? null : Values.whole(childText(memory, "total")),
                    memory == null ? null : Values.whole(childText(memory, "used")),
                    memory == null ? null : Values.whole(childText(memory, "free")),
                    Values.integer(childText(child(e, "utilization"), "gpu_util")),
                    Values.number(draw), Values.number(limit),
                    migMode == null ? null : Values.text(childText(migMode, "current_mig")),
                    migs, processes);
        } catch (NvidiaSmiFormatException ex) {
            throw new NvidiaSmiFormatException("GPU " + index + ": " + ex.getMessage(), ex);
        }
    }

    private static MigDevice mig(Element e) throws NvidiaSmiFormatException {
        Element memory = child(e, "fb_memory_usage");
        Element shared = child(child(e, "device_attributes"), "shared");
        Integer index = Values.integer(childText(e, "index"));
        return new MigDevice(index == null ? 0 : index,
                Values.integer(childText(e, "gpu_instance_id")),
                Values.integer(childText(e, "compute_instance_id")),
                Values.text(childText(e, "uuid")),
                null,
                Values.integer(childText(shared, "multiprocessor_count")),
                memory == null ? null : Values.whole(childText(memory, "total")),
                memory == null ? null : Values.whole(childText(memory, "used")),
                memory == null ? null : Values.whole(childText(memory, "free")));
    }

    private static Document read(String xml) throws NvidiaSmiFormatException {
        if (xml.contains("<!ENTITY")) {
            throw new NvidiaSmiFormatException("the document declares entities, which nvidia-smi never does");
        }
        try {
            DocumentBuilder builder = factory().newDocumentBuilder();
            builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            builder.setErrorHandler(new org.xml.sax.ErrorHandler() { // the default one prints to System.err
                @Override
                public void warning(org.xml.sax.SAXParseException e) {
                }

                @Override
                public void error(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException e) {
            throw new NvidiaSmiFormatException("not valid XML: " + e.getMessage().lines().findFirst().orElse("parse error"), e);
        } catch (IOException | ParserConfigurationException e) {
            throw new NvidiaSmiFormatException("cannot parse: " + e.getMessage(), e);
        }
    }

    static DocumentBuilderFactory factory() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        // nvidia-smi's own documents carry a DOCTYPE, so DOCTYPEs as such are allowed; everything a DOCTYPE
        // could make the parser do (load a DTD, resolve an external entity, expand an entity) is not.
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setValidating(false);
        f.setNamespaceAware(false);
        return f;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element el && el.getTagName().equals(name)) {
                out.add(el);
            }
        }
        return out;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String childText(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent();
    }
}

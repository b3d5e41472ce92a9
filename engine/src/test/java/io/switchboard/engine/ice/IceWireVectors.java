package io.switchboard.engine.ice;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

/** The worked examples of ice-wire.md §6, byte for byte. */
public final class IceWireVectors
{
    public static final UUID DOMAIN_ID = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
    public static final UUID CLIENT_ID = UUID.fromString("99999999-8888-7777-6666-555544443333");

    public static final String PUBLIC_KEY_SPKI_BASE64 =
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAy6hq4fu9K+A5lTwTRo2yP1nJ02GlaCxs" +
        "QMz3HAifQVWcVRRNxd3DZteVZPJ4kWQtOVY0c3utkZH4cKhBAFZO01FTmYg5/Qk+gEgFQqx4EYQq" +
        "56QZOjARbCKwUaGr7i7Wt/lSZjdJONgLjT63p119zA/zOSB2KWIfYrdBGgtxnbHp1MvwcrSkxAXc" +
        "HCS7NRhMvv4bWtv+NBdQ7HSCUBc5JUEo0iXetDNtRQm8T98X9vc/HPvKOZgjjFtywOhSpYWBsi2Y" +
        "yTzPI10l462Hute+74ELa48guNYts+8DEaLuqBTBF+kNZ7IuAk4p8JlZwV1LhV3WBtppr9vBEw7f" +
        "rmCAQwIDAQAB";

    public static final String PRIVATE_KEY_PKCS8_BASE64 =
        "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDLqGrh+70r4DmVPBNGjbI/WcnT" +
        "YaVoLGxAzPccCJ9BVZxVFE3F3cNm15Vk8niRZC05VjRze62RkfhwqEEAVk7TUVOZiDn9CT6ASAVC" +
        "rHgRhCrnpBk6MBFsIrBRoavuLta3+VJmN0k42AuNPrenXX3MD/M5IHYpYh9it0EaC3GdsenUy/By" +
        "tKTEBdwcJLs1GEy+/hta2/40F1DsdIJQFzklQSjSJd60M21FCbxP3xf29z8c+8o5mCOMW3LA6FKl" +
        "hYGyLZjJPM8jXSXjrYe6177vgQtrjyC41i2z7wMRou6oFMEX6Q1nsi4CTinwmVnBXUuFXdYG2mmv" +
        "28ETDt+uYIBDAgMBAAECggEASHDqP+LrGaHC6cX6N0Tsq+MUysc3blQq12vw0/xvJW690neL6H9m" +
        "43x4q/UhlNnUyknTE2bhSN/qxqvanzOUC0+o1Hpj4hE5NakokdxGQzjHiCjTPmLdt6CpJghDX1Ay" +
        "2TLqr+gnd/xFM6Mk8XfsaLsdsWrODQ9ViagUlJ6Qdd4xpSYaBqIis8jSyi2VHocM1uJiU3crwbe9" +
        "cBChH2gwUhUgneGCkxT7K/RwsZ+W0i0Lv4XxABwUzbvGdRTM586M03DqdUDLuk8S6i39vE+xIJbH" +
        "PkQww9oligxNX4NDVoXuCxiI0X/L8IC7pGIGiLKrhMnQkbYCzN3ws3VO5cXK1QKBgQD1wp7ibHjj" +
        "/sC3+K/ZCZ2+y3QIsNWFSoehXCsQ8jXNCpWTxY9TG1rRsX0xdr5TfrAeaUKJL1Eh9D7Iw4mADeoc" +
        "K8F5bWLu6pnuNc13p8zowg9xan13o3RkbXk1ajt1IVzoXEuJHrrENSUHcYp2K7AKBhaE6bsQBWLs" +
        "50xhgWb85QKBgQDUJLdEwpQvW3M5nmMeB6eQgVrIi3f+RRgENnYXprrRr/0yMRho8XqVx1qcx9Qm" +
        "EoMIpVdNcBwc1hpSpJBjgW95StEGBEOCU7a+zQEA2x0BrEcqJOAkxR4fp7oT1DxKcczxFaMQPbFG" +
        "GLq5HVdTQrrPdUgU5ppYYHxQkqLgzS3eBwKBgQCWgQyab4GNZusQ/3x5dxkiyigSVnE8wsrS98Xs" +
        "B9kI6810hM1kQOFaf87Cpwyhx3kF9sJnjxGpsJFuk8k2Ic9YVzeSLHolBIkmR86/04R6mrWoaGXU" +
        "Ccby5dQP8THeZoMmTbd4jtgj5sP5jgAUpGaXjOjnltgXVKUjnfa50+yFPQKBgQCpUwjom/oU9oQ4" +
        "qB/qtydaorSoPxGuZM2vhxyo8g5JEZQhfKhEEwHKDM1ZN/Iv1TS7MOVGzMXTilyGPA13Lref80R0" +
        "7fBIVLMXBZ/YZAt561z92WMCVkcd8w0FiK/6p2xxvNhjPSqCjXh0CmRJ84gR0EWRUSI+ifyPfwr8" +
        "LSh//wKBgAvlgSv7yKRubUgleg4qmmrv5f4LEoTMTsFuSJbSyKuuAgenKLgTfnqVGD9lCQMrn5PH" +
        "lMRUlICItgF9SqMR365uZlheZ8ft3PqXNFmCrUErEqzv9bzRgdtqGGkCwaIGWLdU6M+8bsG5Mcbu" +
        "1na2yQCi9rUZZstvL/L+2M6gs8TO";

    /** §6.2: the signed heartbeat, sequence 1, 296 bytes. */
    public static final byte[] HEARTBEAT = hex(
        "01000000261200112233445566778899" +
        "aabbccddeeff00cb0071059ca600c0a8" +
        "010a9ca600000100" + "9243dc8fe340970a" +
        "979d23cfe2ca9b70c495687a01106b42" +
        "0832ebabb73c264973d7f828f58c146a" +
        "324088d0876cf68aa70e7f3b0a91fb39" +
        "bc2f63e21b03a8b0810d8229ecf323c7" +
        "e7c844ad4d3b27506d8c2db69dc2622b" +
        "03c6d6c995654e52aa801d368d5140c6" +
        "c9941c761341c64a72d78b094f4d4f07" +
        "eddd9ae406e9ac5801258a88e849f7f4" +
        "5d0775d03d37b06b12a640f3ffdd274e" +
        "fa5279beb94182a56035728abbfcc9a7" +
        "2553c22880aa5eeca9e0a49a08b74ecd" +
        "7f2d00ff19cbab7ad8a8630fbb4d434f" +
        "9c9278eb7341ec80570e71fb28ba8861" +
        "b21a4f90430576bd12200d324e097090" +
        "26cb2c743fc0c7cd7642ceead672952a" +
        "8bfff922de9c30d5");

    /** §6.2: the signed plaintext, payload bytes 0..29. */
    public static final byte[] PLAINTEXT = hex("00112233445566778899aabbccddeeff00cb0071059ca600c0a8010a9ca6");
    /** §6.2: the domain's public then local socket. */
    public static final byte[] DOMAIN_SOCKETS = hex("00cb0071059ca600c0a8010a9ca6");

    /** §6.3. */
    public static final byte[] ACK_SEQ_1 = hex("010000003f11");
    public static final byte[] DENIED_SEQ_1 = hex("010000003c11");

    /** §6.4: the client's query, sequence 1, 52 bytes. */
    public static final byte[] QUERY = hex(
        "0100000017119999999988887777666655554444333300c6336407c350000a00" +
        "002ac35000112233445566778899aabbccddeeff");
    public static final byte[] CLIENT_SOCKETS = hex("00c6336407c350000a00002ac350");

    /** §6.5 (i): to the querier, its first datagram. */
    public static final byte[] PEER_INFORMATION_TO_CLIENT = hex(
        "01000000161100112233445566778899aabbccddeeff00cb0071059ca600c0a8010a9ca6");
    /** §6.5 (ii): to the domain's active socket, after its ACK. */
    public static final byte[] PEER_INFORMATION_TO_DOMAIN = hex(
        "020000001611999999998888777766665555444433330" + "0c6336407c350000a00002ac350");

    /** §6.6: client to domain local socket, and the domain's reply. */
    public static final byte[] PING_LOCAL = hex("01000000271299999999888877776666555544443333" + "01");
    public static final byte[] PING_REPLY_LOCAL = hex("010000002811" + "00112233445566778899aabbccddeeff01");

    private IceWireVectors()
    {
    }

    public static byte[] hex(final String hex)
    {
        return HexFormat.of().parseHex(hex);
    }

    public static PublicKey publicKey() throws Exception
    {
        return KeyFactory.getInstance("RSA").generatePublic(
            new X509EncodedKeySpec(Base64.getDecoder().decode(PUBLIC_KEY_SPKI_BASE64)));
    }

    public static PrivateKey privateKey() throws Exception
    {
        return KeyFactory.getInstance("RSA").generatePrivate(
            new PKCS8EncodedKeySpec(Base64.getDecoder().decode(PRIVATE_KEY_PKCS8_BASE64)));
    }
}

import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as SiteUrl from "../../src/Domain/SiteUrl.js"

const check = (url: string, allowInternal = false) => SiteUrl.validate(url, { allowInternal })

const assertRejected = (url: string, message: string, allowInternal = false) => {
  const result = check(url, allowInternal)
  assert.isTrue(Either.isLeft(result), `${url} should be rejected`)
  if (Either.isLeft(result)) {
    assert.strictEqual(result.left._tag, "InvalidSiteUrl")
    assert.strictEqual(result.left.message, `site_url ${message}`, url)
  }
}

const assertAccepted = (url: string, allowInternal = false) =>
  assert.deepStrictEqual(check(url, allowInternal), Either.right(url), `${url} should be accepted`)

describe("SiteUrl guard", () => {
  it("requires http or https (case 7, 14)", () => {
    for (const url of ["file:///etc/passwd", "gopher://example.com:70/", "javascript:alert(1)", "example.com"]) {
      assertRejected(url, SiteUrl.messages.scheme)
    }
    assertAccepted("HTTP://example.com")
  })

  it("requires a host name (case 8)", () => {
    assertRejected("https://", SiteUrl.messages.host)
  })

  it("rejects private, loopback and link-local IPv4 (case 9, 14)", () => {
    for (const url of [
      "https://10.20.30.40/api",
      "https://172.16.5.5/api",
      "https://192.168.1.1/api",
      "http://127.0.0.1:6379",
      "http://169.254.169.254/latest/meta-data/",
      "http://0.0.0.0",
      "http://127.1",
      "http://2130706433",
      "http://0x7f.0.0.1",
      "http://0177.0.0.1"
    ]) {
      assertRejected(url, SiteUrl.messages.internal)
    }
    assertAccepted("https://172.32.0.1")
    assertAccepted("https://172.15.255.255")
  })

  it("rejects internal IPv6 (case 10)", () => {
    for (const url of ["http://[::1]:80", "http://[fe80::1]:80", "http://[fc00::1]:80", "http://[::]/"]) {
      assertRejected(url, SiteUrl.messages.internal)
    }
    assertAccepted("http://[2606:4700::1111]/")
  })

  it("rejects localhost and .local names (case 11)", () => {
    assertRejected("http://localhost:4000", SiteUrl.messages.localhost)
    assertRejected("http://printer.local", SiteUrl.messages.mdns)
  })

  it("accepts public names and long paths (case 12)", () => {
    assertAccepted("http://staging.example.com")
    assertAccepted("https://staging.example.com")
    assertAccepted(`https://example.com/${"a".repeat(2000)}`)
  })

  it("lets ALLOW_INTERNAL_URLS lift the internal rules but never the scheme rule (case 13)", () => {
    for (const url of ["http://localhost:4000", "http://10.0.0.5/api", "http://[::1]/api"]) assertAccepted(url, true)
    assertRejected("file:///etc/passwd", SiteUrl.messages.scheme, true)
    assertRejected("https://", SiteUrl.messages.host, true)
  })

  it("closes the original's gaps (A7)", () => {
    assertRejected("http://LOCALHOST", SiteUrl.messages.localhost)
    assertRejected("http://localhost.", SiteUrl.messages.localhost)
    assertRejected("http://x.LOCAL", SiteUrl.messages.mdns)
    assertRejected("http://printer.local.", SiteUrl.messages.mdns)
    for (const url of [
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:10.0.0.1]/",
      "http://100.64.0.1",
      "http://100.127.255.254",
      "http://224.0.0.1",
      "http://239.255.255.250",
      "http://255.255.255.255",
      "http://[ff02::1]/"
    ]) {
      assertRejected(url, SiteUrl.messages.internal)
    }
    assertAccepted("http://100.63.255.255")
    assertAccepted("http://100.128.0.1")
    assertAccepted("http://[::ffff:8.8.8.8]/")
  })

  // issue 18: each form reaches the IPv4 address it carries wherever it is routed (NAT64, 6to4 relays, SIIT)
  it("judges an IPv6 form that carries an IPv4 address by that address", () => {
    for (const url of [
      "http://[::127.0.0.1]/",
      "http://[::ffff:0:7f00:1]/",
      "http://[64:ff9b::7f00:1]/",
      "http://[2002:7f00:1::]/",
      "http://[64:ff9b::a00:1]/",
      "http://[2002:c0a8:101::1]/",
      "http://[::a9fe:a9fe]/"
    ]) {
      assertRejected(url, SiteUrl.messages.internal)
    }
    for (const url of ["http://[64:ff9b::808:808]/", "http://[2002:808:808::1]/", "http://[::ffff:0:808:808]/"]) {
      assertAccepted(url)
    }
  })

  it("accepts only public unicast: documentation, benchmarking, site-local, Teredo and local NAT64 are refused", () => {
    for (const url of [
      "http://192.0.2.1/",
      "http://198.18.0.1/",
      "http://240.0.0.1/",
      "http://[2001:db8::1]/",
      "http://[2001:2::1]/",
      "http://[fec0::1]/",
      "http://[2001::1]/",
      "http://[64:ff9b:1::808:808]/",
      "http://[100::1]/"
    ]) {
      assertRejected(url, SiteUrl.messages.internal)
    }
  })
})

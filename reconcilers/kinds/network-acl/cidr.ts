// IPv4 prefix arithmetic for ACL rules: the smallest list of CIDRs covering every IPv4 address
// except some hosts (Incus ACL rules can allow, but not "allow all but", and a drop rule always
// wins over an allow rule). Pure.

const toInt = (ip: string): number =>
  ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

const toIp = (n: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/** CIDRs covering 0.0.0.0/0 minus the given addresses (in ascending order). */
export function complementOf(addresses: readonly string[]): string[] {
  const excluded = [...new Set(addresses.map(toInt))].sort((a, b) => a - b);
  const out: string[] = [];
  const walk = (base: number, bits: number) => {
    const size = 2 ** (32 - bits);
    const inside = excluded.filter((x) => x >= base && x < base + size);
    if (inside.length === 0) {
      out.push(`${toIp(base)}/${bits}`);
      return;
    }
    if (bits === 32) return;
    walk(base, bits + 1);
    walk(base + size / 2, bits + 1);
  };
  walk(0, 0);
  return out;
}

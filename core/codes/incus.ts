// The Incus driver and the reconcilers (PLB7xx).
import type { CodeInfo } from "./code-info.js";

export const INCUS_CODES = {
  // PLB7xx — Incus driver and reconcilers
  PLB701: {
    title: "cannot reach Incus",
    help: "No connection to the Incus API. Locally: is the daemon up (`scripts/incus-sandbox.sh status`) and is `$INCUS_SOCKET` (default /var/lib/incus/unix.socket) readable by you? Remotely: check the address, port and that the server listens (`core.https_address`).",
  },
  PLB702: {
    title: "Incus rejected the request",
    help: "The Incus API answered with an error. The message names the method, endpoint, HTTP status and Incus's own error text; fix the value it names (an unknown config key, a running instance, a non-empty project, …).",
  },
  PLB703: {
    title: "Incus object not found",
    help: "The project, network, profile, instance, snapshot or operation does not exist (HTTP 404). Check the name and the project it is looked up in.",
  },
  PLB704: {
    title: "Incus object already exists",
    help: 'A create collided with an existing object (Incus answers 409, or 500 with "already exists"/UNIQUE). Another writer may have created it: re-read and converge instead of creating.',
  },
  PLB705: {
    title: "object changed since it was read",
    help: "The ETag sent with If-Match no longer matches (HTTP 412): someone changed the object after it was read. Re-read it, re-diff and retry; for a saved plan, plan again.",
  },
  PLB706: {
    title: "Incus operation failed",
    help: "An asynchronous Incus operation (create, start, stop, snapshot, restore, delete, …) finished with an error. The message carries Incus's error; the daemon log has details.",
  },
  PLB707: {
    title: "Incus request timed out",
    help: "The API call or operation did not finish in time. The daemon may be overloaded or stuck; check `incus operation list` and retry. The operation may still complete on the server.",
  },
  PLB708: {
    title: "Incus server certificate mismatch",
    help: "The remote server's certificate does not match the pinned fingerprint. Do not continue unless the server certificate was deliberately replaced; then pin the new one (`incus info` on the server shows `certificate_fingerprint`).",
  },
  PLB709: {
    title: "unexpected Incus response",
    help: "The Incus API answered something the driver cannot read (not JSON, or not the expected shape). Check that the endpoint is an Incus 6.0+ server.",
  },
  PLB710: {
    title: "invalid Incus connection settings",
    help: "A remote needs an https:// address, a client certificate and key (PEM) trusted by the server, and the server certificate or its SHA-256 fingerprint to pin.",
  },
  PLB711: {
    title: "saved plan is stale",
    help: "An object the saved plan read has changed since (someone applied, edited or deleted it, or the plan targets another Incus). Nothing was changed: `plumb apply` refuses before the first change. Run `plumb plan --out plan.json` again, review it, and apply the new plan. Exit code 3.",
  },
  PLB712: {
    title: "apply lock held",
    help: "Another `plumb apply` (the message names its host, process and start time) holds the lock stored in Incus (`user.plumb.lock` on the `default` project). Wait for it to finish. A lock whose holder died expires on its own (same host: at once; elsewhere: after its lease); `plumb unlock` removes it by hand after confirmation. Exit code 4.",
  },
  PLB713: {
    title: "invalid plan file",
    help: "The file is not a plumb plan, has an unknown `version`, or its digest does not match its content (edited or truncated). Create it again with `plumb plan --out plan.json`.",
  },
  PLB714: {
    title: "domain subnet overlaps a host network",
    help: "A domain's bridge would take a subnet the host already uses (an interface address or a route): creating it can cut the host off the network (anklume's incident). Choose another `subnet_id`/`zone_base`, or run with address-less bridges (`--bridge-addresses none`).",
  },
  PLB715: {
    title: "image cannot be resolved",
    help: "A machine to create names an image on a remote Incus does not know (`images:debian/13` needs the `images` remote of the incus CLI configuration) or a local alias that does not exist. Map it to an image this site has: `--image-map images:debian/13=plumb-busybox`, `PLUMB_IMAGE_MAP`, or `image_map:` in .plumb/site.yml.",
  },
  PLB716: {
    title: "apply did not converge",
    help: "Some changes failed (each is listed with Incus's error) or the re-plan after applying still finds differences. Changes that succeeded stay applied; fix the cause and run `plumb apply` again: it converges from wherever the last run stopped. `plumb snapshot rollback` restores the pre-apply snapshots.",
  },
  PLB717: {
    title: "object not owned by this estate",
    help: "An Incus object with a declared name exists but was not created by this estate (no `user.plumb.*` labels, another estate's, or a copy). plumb never modifies or deletes such objects. Rename the declared object, remove the live one yourself, or `plumb import` it to take it over.",
  },
  PLB718: {
    title: "confirmation needed",
    help: "This command changes live infrastructure and asks first; without a terminal it cannot ask. Review the plan and pass `--yes` (apply, unlock, snapshot restore) or `--force` (flush).",
  },
  PLB719: {
    title: "pre-apply snapshot failed",
    help: "An instance the plan touches could not be snapshotted, so apply stopped before changing anything. Fix the cause (disk space, a stuck instance), or run with `--no-snapshot` to apply without a safety net.",
  },
  PLB720: {
    title: "nothing to roll back",
    help: "No pre-apply snapshot with that timestamp exists on any instance of this estate, or none could be restored. `plumb snapshot rollback --list` shows the available ones.",
  },
  PLB721: {
    title: "instance not found",
    help: "No instance of that name exists in any Incus project (`self` means this machine's hostname). Check the name with `plumb snapshot list`.",
  },
  PLB722: {
    title: "apply lock lost",
    help: "The lock this apply held was taken over (forced `plumb unlock`, or its lease expired while the process was stalled). It stopped between two changes; run `plumb apply` again.",
  },
  PLB723: {
    title: "flush needs --force",
    help: "`plumb flush` destroys every Incus object this estate owns and the generated Ansible files. It runs only with `--force`; objects plumb does not own are never touched.",
  },
  PLB724: {
    title: "live state not expressible in infra YAML",
    help: "`plumb import` met something the infra format cannot describe (a bridge subnet outside the 10.x zone scheme, an instance outside any project of a bridge, …). The file is written without it and the message says what was left out.",
  },
  PLB725: {
    title: "invalid site settings",
    help: "`--image-map`, `PLUMB_IMAGE_MAP`, `--bridge-addresses` or .plumb/site.yml has a value plumb cannot read. Image maps are `from=to` pairs, comma-separated in the environment variable.",
  },
  PLB726: {
    title: "plan has conflicts",
    help: "Some declared objects collide with Incus objects plumb does not own (listed in the plan). They are left untouched and everything that depends on them is skipped; the rest applies. Resolve each conflict (rename, remove, or import) to converge.",
  },
} as const satisfies Record<string, CodeInfo>;

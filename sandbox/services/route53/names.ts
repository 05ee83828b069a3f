/** DNS names as Route 53 handles them: absolute, lower-case, compared label by label. */

/** `WWW.Example.com` → `www.example.com.` */
export function absoluteName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * Why a name is not a valid DNS name, in Route 53's words, or undefined when it is valid. The
 * name is absolute (see absoluteName).
 */
export function dnsNameProblem(name: string): string | undefined {
  if (name === '.') return undefined;
  if (name.length > 255) return `DomainNameTooLong (Domain name is too long) encountered with '${name}'`;
  const labels = name.slice(0, -1).split('.');
  if (labels.some((l) => l.length === 0)) {
    return `DomainLabelEmpty (Domain label is empty) encountered with '${name}'`;
  }
  if (labels.some((l) => l.length > 63)) {
    return `DomainLabelTooLong (Domain label is too long) encountered with '${name}'`;
  }
  // Route 53 escapes other octets as \ddd; the sandbox only refuses what can never be a label.
  if (/[\s\\]/.test(name)) return `Invalid characters in domain name '${name}'`;
  return undefined;
}

/** True when `name` is `zone` or a name below it. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * Route 53's listing order: names compared with their labels reversed (`com.example.www.`), so a
 * zone's apex comes first and every name sorts next to its parent.
 */
export function reversedName(name: string): string {
  const labels = name.replace(/\.$/, '').split('.');
  return `${labels.reverse().join('.')}.`;
}

/** Ordinal comparison, which is how Route 53 orders names and types (not locale-aware). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const ELB_REGION = /(?:^|\.)([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com\.?$/;

/**
 * The AWS region an endpoint lives in, when its name says so (an Elastic Load Balancing name such
 * as `checkout-alb.us-east-1.elb.amazonaws.com`). Endpoints outside AWS have none.
 */
export function endpointRegion(hostname: string | undefined): string | undefined {
  if (!hostname) return undefined;
  return ELB_REGION.exec(hostname.toLowerCase())?.[1];
}

/**
 * The canonical hosted zone of Application Load Balancers per region, which alias records that
 * point at a load balancer name. The sandbox falls back to us-east-1's for regions not listed.
 */
const ALB_HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
};

export function loadBalancerHostedZone(region: string): string {
  return ALB_HOSTED_ZONES[region] ?? ALB_HOSTED_ZONES['us-east-1']!;
}

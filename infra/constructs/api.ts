import { Aws, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AllowedMethods, CachePolicy, Distribution, OriginProtocolPolicy, OriginRequestPolicy, OriginSslPolicy, PriceClass, SecurityPolicyProtocol, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ROUTES, type ApiFunction, type Route } from '../../shared/http/routes.ts';
import { ROUTE_THROTTLE_DEFAULTS, type CityConfig, type Throttle } from '../cities/city.ts';
import { retentionOf } from './function.ts';

export interface ApiProps {
  city: CityConfig;
  functions: Record<ApiFunction, IFunction>;
  /** Where CloudFront writes its access logs when the city puts a WAF in front of the API. */
  accessLogsBucket: IBucket;
}

/** The limit a route gets: its own from the city, else a built-in one, else `public` for a route without a token, else the stage's default. */
export function throttleOf(city: CityConfig, route: Route): Throttle | undefined {
  const key = `${route.method} ${route.path}`;
  return city.throttling.routes[key] ?? ROUTE_THROTTLE_DEFAULTS[key] ?? (route.auth ? undefined : city.throttling.public);
}

/**
 * The HTTP API: every route of shared/http/routes.ts, the JWT authorizer of the provincial
 * identity provider with the city's scope on the protected ones, one auto-deployed stage with access logs, a default
 * throttle and tighter limits on the public routes. With `waf` in the city's configuration,
 * a CloudFront distribution carrying the web ACL stands in front (AWS WAF cannot be attached to
 * an HTTP API itself); the execute-api endpoint then stays reachable, throttled, not filtered.
 */
export class Api extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly distribution?: Distribution;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { city } = props;
    // The API and its stage keep the logical ids they had at the stack's level: a replacement would change the API's URL.
    const stack = Stack.of(this);
    // API Gateway checks the token's signature with the issuer's JWKS (RSA keys only: an HTTP API's
    // JWT authorizer verifies RS256, not ES256), its issuer, audience, exp and nbf, and on every
    // protected route the city's scope; the functions check the claims again (shared/http).
    const authorizer = new HttpJwtAuthorizer('ProvincialIdp', city.identityProvider.issuer, { jwtAudience: city.identityProvider.audience, identitySource: ['$request.header.Authorization'] });
    this.api = new HttpApi(stack, 'Api', {
      apiName: `oneseal-${city.areaCode}`,
      createDefaultStage: false,
      corsPreflight: { allowOrigins: [city.publicBaseUrl], allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE], allowHeaders: ['authorization', 'content-type', 'idempotency-key'] },
    });
    const integrations = new Map<ApiFunction, HttpLambdaIntegration>();
    const routes: HttpRoute[] = [];
    for (const route of ROUTES) {
      if (!integrations.has(route.fn)) integrations.set(route.fn, new HttpLambdaIntegration(`Int-${route.fn}`, props.functions[route.fn]));
      routes.push(...this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: integrations.get(route.fn)!, ...(route.auth ? { authorizer, authorizationScopes: [city.identityProvider.scope] } : {}) }));
    }

    const accessLogs = new LogGroup(stack, 'ApiAccessLogs', { retention: retentionOf(city.logRetentionDays), removalPolicy: RemovalPolicy.RETAIN });
    this.stage = new HttpStage(stack, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.jsonWithStandardFields() },
      throttle: city.throttling.default,
    });
    // Per-route limits: the L2 stage has none, so they go on the CloudFormation stage, after the routes they name.
    const unknown = Object.keys(city.throttling.routes).filter((key) => !ROUTES.some((r) => `${r.method} ${r.path}` === key));
    if (unknown.length) throw new Error(`${city.stackName}: throttling.routes names no route: ${unknown.join(', ')}`);
    const routeSettings = Object.fromEntries(
      ROUTES.flatMap((route) => {
        const limit = throttleOf(city, route);
        return limit ? [[`${route.method} ${route.path}`, { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit }]] : [];
      }),
    );
    (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    for (const route of routes) this.stage.node.addDependency(route);

    if (city.waf) {
      this.distribution = new Distribution(this, 'Edge', {
        comment: `oneseal ${city.areaCode}: AWS WAF in front of the HTTP API`,
        domainNames: [new URL(city.publicBaseUrl).hostname],
        certificate: Certificate.fromCertificateArn(this, 'EdgeCertificate', city.waf.certificateArn),
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
        webAclId: city.waf.webAclArn,
        priceClass: PriceClass.PRICE_CLASS_200,
        enableLogging: true,
        logBucket: props.accessLogsBucket,
        logFilePrefix: 'cloudfront/',
        defaultBehavior: {
          origin: new HttpOrigin(Fn.join('.', [this.api.apiId, 'execute-api', Aws.REGION, Aws.URL_SUFFIX]), {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          allowedMethods: AllowedMethods.ALLOW_ALL,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      });
    }
  }
}

/** The client facade the commands use to start, follow, read and cancel deployments. */
package dev.flaredeploy.cli.client;
